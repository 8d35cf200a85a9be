import Foundation
import MinibotProtocol

extension ArbiterStateMachine {
    /// What `minibot-agent status` shows: slots, leases, the queue in serving order with each
    /// subscriber's reason, load, and why nothing is offered right now.
    public func status(now: Date) -> AgentStatus {
        let queue = servingOrder().map { subscription in
            let reason = offer?.key == subscription.key
                ? WaitReason(kind: .offeredElsewhere, message: "offered, waiting for its claim", until: offer?.expiresAt)
                : waitReason(for: subscription, now: now)
            return AgentStatus.Queued(
                subscription: subscription.key.name, master: subscription.master, worker: subscription.worker,
                builder: subscription.builder, priority: subscription.priority, since: subscription.since,
                reason: reason?.message ?? "next in line", until: reason?.until)
        }
        var blocked = blockReason(now: now)
        if blocked == nil, offer == nil, subscriptions.isEmpty {
            blocked = WaitReason(kind: .slotsBusy, message: "nobody is waiting for a slot", until: nil)
        }
        return AgentStatus(
            agent: agentID, now: now, slots: configuration.slots, leases: activeLeases, offer: currentOffer,
            queue: queue, load: load, effectiveLoad: effectiveLoad, maxLoad: configuration.maxLoad,
            resumeLoad: configuration.effectiveResumeLoad, lastGrant: lastGrant, recoveringUntil: recoveringUntil,
            blocked: offer == nil ? blocked?.message : nil, blockedUntil: offer == nil ? blocked?.until : nil)
    }
}
