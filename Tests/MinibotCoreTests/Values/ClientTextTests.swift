import MinibotCore
import Testing

@Suite struct ClientTextTests {
    @Test func escapesControlsAndQuotes() {
        #expect(ClientText.quoted("w1") == "\"w1\"")
        #expect(ClientText.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(ClientText.quoted("x\ninfo: forged\r\u{1B}[31m") == "\"x\\ninfo: forged\\r\\u{1b}[31m\"")
    }

    @Test func cutsLongText() {
        let huge = String(repeating: "n", count: 1 << 20)
        let shown = ClientText.quoted(huge, limit: 10)
        #expect(shown == "\"nnnnnnnnnn\"…(\((1 << 20) - 10) more)")
        #expect(ClientText.quoted("0123456789", limit: 10) == "\"0123456789\"")
    }
}
