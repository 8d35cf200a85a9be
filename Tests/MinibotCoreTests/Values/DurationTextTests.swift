import Testing
import MinibotCore

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("90s", 90.0), ("5m", 300), ("1h", 3600), ("2d", 172_800), ("1h30m", 5400), ("250ms", 0.25),
        ("10", 10), ("1.5h", 5400), ("366d", 31_622_400), (" 2 min ", 120), ("1h 30m", 5400), ("3 secs", 3), ("0", 0),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    /// Issue 12: no duration may be infinite, NaN, negative or beyond a year, however written.
    @Test(arguments: ["", "abc", "5x", "m5", "-3", "5m-", "1h30", "inf", "infinity", "Infinity", "nan", "1e300",
                      "1e3", "0x10", "367d", "99999999999999999999999999999s", "1.2.3s", "٣s", "+5s",
                      String(repeating: "9", count: 400)])
    func rejects(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func describesShortly() {
        #expect(DurationText.describe(45) == "45 s")
        #expect(DurationText.describe(0.2) == "1 s")
        #expect(DurationText.describe(300) == "5 min")
        #expect(DurationText.describe(90) == "1 min 30 s")
        #expect(DurationText.describe(3600) == "1 h")
        #expect(DurationText.describe(5400) == "1 h 30 min")
        #expect(DurationText.describe(.infinity) == "forever")
        #expect(DurationText.describe(.nan) == "an unknown time")
        #expect(DurationText.describe(1e300).hasSuffix("h"))
    }
}
