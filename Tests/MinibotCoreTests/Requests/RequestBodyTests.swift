import Foundation
import MinibotCore
import Testing

/// Issue 12: every JSON body of the API's write routes is read into a checked type; what
/// does not fit is a reason for a 400, never a crash or a silently different request.
@Suite struct RequestBodyTests {
    private func force(_ text: String) -> Result<ForceRequestBody, RequestBodyProblem> {
        ForceRequestBody.parse(Data(text.utf8))
    }

    private func problem(_ result: Result<ForceRequestBody, RequestBodyProblem>) -> String? {
        if case .failure(let p) = result { return p.message }
        return nil
    }

    @Test func aFullForceBodyIsRead() throws {
        let body = try force(#"{"reason": "release", "branch": "main", "revision": "4f2a9c1", "priority": -3, "properties": {"channel": "beta"}, "repository": "file:///r"}"#).get()
        #expect(body == ForceRequestBody(reason: "release", properties: ["channel": "beta"], branch: "main",
                                         revision: "4f2a9c1", repository: "file:///r", priority: -3))
        #expect(try force("").get() == ForceRequestBody())
        #expect(try force(#"{"reason": null}"#).get() == ForceRequestBody())
    }

    @Test("priorities outside 32 bits, fractions and non-numbers are refused with the range")
    func priorities() throws {
        for bad in ["9223372036854775807", "2147483648", "-2147483649", "1e300", "1.5", "\"high\"", "true"] {
            let message = problem(force(#"{"priority": \#(bad)}"#))
            #expect(message?.contains("-2147483648 and 2147483647") == true, "\(bad): \(message ?? "accepted")")
        }
        #expect(try force(#"{"priority": 2147483647}"#).get().priority == 2_147_483_647)
    }

    @Test("unknown keys, wrong types and bad refs are refused, never ignored")
    func refusals() throws {
        #expect(problem(force(#"{"propertes": {"a": "b"}}"#))?.contains("did you mean 'properties'") == true)
        #expect(problem(force(#"{"properties": {"a": 1}}"#))?.contains("must be a string") == true)
        #expect(problem(force(#"{"properties": [1]}"#))?.contains("object of strings") == true)
        #expect(problem(force(#"{"reason": 5}"#))?.contains("'reason' must be a string") == true)
        #expect(problem(force(#"{"revision": "x;touch${IFS}PWNED"}"#))?.contains("revision") == true)
        #expect(problem(force(#"{"branch": "a..b"}"#))?.contains("branch") == true)
        #expect(problem(force("[1, 2]"))?.contains("JSON object") == true)
        #expect(problem(force("{\"reason\": \"unterminated"))?.contains("not JSON") == true)
    }

    @Test("an action body takes a reason, and results only where the action has them")
    func actions() throws {
        let stop = try BuildActionBody.parse(Data(#"{"reason": "flaky", "results": "retry"}"#.utf8), accepting: [.reason, .results]).get()
        #expect(stop == BuildActionBody(reason: "flaky", results: .result(.retry)))
        let code = try BuildActionBody.parse(Data(#"{"results": 5}"#.utf8), accepting: [.reason, .results]).get()
        #expect(code.results == .result(.retry))
        let unknown = try BuildActionBody.parse(Data(#"{"results": 99}"#.utf8), accepting: [.reason, .results]).get()
        #expect(unknown.results == .invalid("99"))
        #expect(try BuildActionBody.parse(Data(), accepting: [.reason]).get() == BuildActionBody())

        let drain = try BuildActionBody.parse(Data(#"{"deadline": "30m", "by": "anna"}"#.utf8), accepting: [.reason, .deadline, .by]).get()
        #expect(drain == BuildActionBody(deadline: 1800, by: "anna"))
        let stopOnly: [BuildActionBody.Field] = [.reason, .results]
        for (text, fields) in [(#"{"results": "RETRY"}"#, [BuildActionBody.Field.reason]), (#"{"reson": "x"}"#, stopOnly),
                               ("nope", stopOnly), (#"{"results": 1e300}"#, stopOnly), (#"{"reason": ["x"]}"#, [.reason]),
                               (#"{"deadline": "inf"}"#, [.deadline]), (#"{"deadline": "30m"}"#, [.reason])] {
            guard case .failure(let p) = BuildActionBody.parse(Data(text.utf8), accepting: fields) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(p.message.contains("JSON like") || p.message.contains("must be") || p.message.contains("deadline"),
                    "\(text): \(p.message)")
        }
    }
}
