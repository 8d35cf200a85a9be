import Foundation
import MinibotCore
import MinibotHostFacts

extension ArbiterStateMachine {
    /// The arbiter's limits; every field has a default, so `Configuration()` is a working host
    /// with one slot and no load limit.
    public struct Configuration: Sendable, Equatable {
        /// Builds that may run on the host at once.
        public var slots: Int
        /// Block offers when the effective 1-minute load goes above this; nil: no load limit.
        public var maxLoad: Double?
        /// Resume offers once the effective load is below this; nil: 80 % of `maxLoad`.
        public var resumeLoad: Double?
        /// Block above this CPU pressure (`some avg10`, percent); nil: not checked.
        public var maxCPUPressure: Double?
        /// Resume below this CPU pressure; nil: 80 % of `maxCPUPressure`.
        public var resumeCPUPressure: Double?
        /// Load each recent grant is expected to add before the load average shows it.
        public var grantLoad: Double
        /// How long a grant counts as expected load; nil: `settle`.
        public var grantLoadWindow: TimeInterval?
        /// Minimum time between two grants.
        public var settle: TimeInterval
        /// How long an offer waits for its claim before moving on.
        public var offerTimeout: TimeInterval
        /// How long a lease lives without renewal; also the recovery period after a start.
        public var leaseTTL: TimeInterval

        public init(slots: Int = 1, maxLoad: Double? = nil, resumeLoad: Double? = nil,
                    maxCPUPressure: Double? = nil, resumeCPUPressure: Double? = nil,
                    grantLoad: Double = 1.0, grantLoadWindow: TimeInterval? = nil,
                    settle: TimeInterval = 30, offerTimeout: TimeInterval = 5, leaseTTL: TimeInterval = 30) {
            self.slots = slots
            self.maxLoad = maxLoad
            self.resumeLoad = resumeLoad
            self.maxCPUPressure = maxCPUPressure
            self.resumeCPUPressure = resumeCPUPressure
            self.grantLoad = grantLoad
            self.grantLoadWindow = grantLoadWindow
            self.settle = settle
            self.offerTimeout = offerTimeout
            self.leaseTTL = leaseTTL
        }

        /// The resume threshold in effect (hysteresis: resume below, block above `maxLoad`).
        public var effectiveResumeLoad: Double? {
            resumeLoad ?? maxLoad.map(LoadHysteresis.defaultResume(for:))
        }

        public var effectiveResumeCPUPressure: Double? {
            resumeCPUPressure ?? maxCPUPressure.map(LoadHysteresis.defaultResume(for:))
        }

        var expectedLoadWindow: TimeInterval {
            grantLoadWindow ?? settle
        }
    }
}
