import MinibotProtocol

/// Asks a running agent for its status over its socket (what `minibot-agent status` does).
///
/// A one-shot connection: `status` needs no hello, so this works even while the agent has no
/// workers. Throws `LineChannelError` when nothing listens, `AgentClientError` on a bad reply.
public enum AgentStatusQuery {
    public static func fetch(socketPath: String) async throws -> AgentStatus {
        try await LineChannel.connect(to: socketPath, receiving: AgentEvent.self, sending: AgentRequest.self) { connection in
            try await connection.outbound.send(.status(.init(id: 1)))
            for try await line in connection.inbound {
                if case .success(.status(let reply)) = line { return reply.report }
                if case .success(.refused(let refused)) = line {
                    throw AgentClientError(code: refused.code, message: refused.message)
                }
            }
            throw AgentClientError(code: "unreachable", message: "agent at \(socketPath) closed the connection without a status")
        }
    }
}
