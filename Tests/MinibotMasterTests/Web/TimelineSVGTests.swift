import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

/// The availability picture as text: bands with titles, the threshold, load and builds, escaped.
@Suite struct TimelineSVGTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let utc = TimeZone(identifier: "UTC")!

    func svg(name: String = "w1", bands: [AvailabilityTimeline.Band], maxLoad: Double? = 4, resume: Double? = 3.2,
             history: [LoadHistory.Bucket] = [], builds: [TimelineSVG.BuildBar] = []) -> String {
        let timeline = AvailabilityTimeline(from: now, to: now.addingTimeInterval(7 * 86_400), bands: bands,
                                            maxLoad: maxLoad, resumeLoad: resume)
        return TimelineSVG(worker: name, now: now, zone: utc, timeline: timeline, history: history, builds: builds).svg
    }

    @Test("each band has a title with its state, text and times; advisory and unavailable differ by pattern")
    func bands() {
        let text = svg(bands: [
            .init(start: now.addingTimeInterval(3600), end: now.addingTimeInterval(7200), state: .unavailable, source: .window,
                  label: "restricted hours Mon-Fri 09:00-17:00 Europe/Berlin"),
            .init(start: now.addingTimeInterval(86_400), end: now.addingTimeInterval(90_000), state: .advisory, source: .flag,
                  label: "flagged by anna: disk swap"),
        ])
        #expect(text.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(text.contains("<title>unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Berlin, "))
        #expect(text.contains("<title>advisory: flagged by anna: disk swap, "))
        #expect(text.contains("fill=\"url(#tl-unavailable)\"") && text.contains("fill=\"url(#tl-advisory)\""))
        #expect(text.contains("unavailable (hatched)") && text.contains("advisory (dotted)"))
        // Seven day ticks with weekday labels (2027-01-15 08:00 UTC is a Friday).
        #expect(text.components(separatedBy: "class=\"tick\"").count - 1 == 7)
        #expect(text.contains(">Sat 16<"))
    }

    @Test("threshold line and hysteresis band are drawn; the load is a polyline; builds are bars with their result")
    func load() {
        let history = [LoadHistory.Bucket(start: now.addingTimeInterval(-600), maxLoad: 5, lastLoad: 2, maxPressure: nil,
                                          lastPressure: nil, samples: 2),
                       LoadHistory.Bucket(start: now.addingTimeInterval(-300), maxLoad: 1, lastLoad: 1, maxPressure: nil,
                                          lastPressure: nil, samples: 1)]
        let builds = [TimelineSVG.BuildBar(start: now.addingTimeInterval(-3600), end: now.addingTimeInterval(-3000),
                                           label: "b #12", look: ResultLook(.failure)),
                      TimelineSVG.BuildBar(start: now.addingTimeInterval(-60), end: nil, label: "b #13", look: ResultLook(nil))]
        let text = svg(bands: [], history: history, builds: builds)
        #expect(text.contains("class=\"threshold\"") && text.contains("<title>max load 4.0</title>"))
        #expect(text.contains("class=\"hysteresis\"") && text.contains("until the load is below 3.2"))
        #expect(text.contains("<polyline class=\"load\""))
        #expect(text.contains("<title>b #12 FAILURE, ") && text.contains("<title>b #13 running, "))
        let noThreshold = svg(bands: [], maxLoad: nil, resume: nil)
        #expect(!noThreshold.contains("class=\"threshold\"") && noThreshold.contains("no load reported"))
    }

    @Test("markup in a worker name, a reason or a builder name is escaped; no style attributes or scripts")
    func escaping() {
        let text = svg(name: "w<1>&\"", bands: [
            .init(start: now, end: now.addingTimeInterval(60), state: .unavailable, source: .flag,
                  label: "flagged by <b>eve</b>: \"quoted\" & 'single' <script>alert(1)</script>"),
        ], builds: [TimelineSVG.BuildBar(start: now.addingTimeInterval(-60), end: now, label: "<i>b</i> #1",
                                         look: ResultLook(.success))])
        #expect(!text.contains("<b>") && !text.contains("<script") && !text.contains("<i>"))
        #expect(text.contains("availability of w&lt;1&gt;&amp;&quot;"))
        #expect(text.contains("flagged by &lt;b&gt;eve&lt;/b&gt;: &quot;quoted&quot; &amp; &apos;single&apos;"))
        #expect(text.contains("&lt;i&gt;b&lt;/i&gt; #1 SUCCESS"))
        #expect(!text.contains("style="))
    }

    @Test("coordinates stay inside the picture whatever the dates")
    func bounded() {
        let text = svg(bands: [.init(start: .distantPast, end: .distantFuture, state: .unavailable, source: .flag, label: "x")],
                       history: [LoadHistory.Bucket(start: now, maxLoad: 100_000, lastLoad: 1, maxPressure: nil,
                                                    lastPressure: nil, samples: 1)])
        #expect(!text.contains("nan") && !text.contains("inf"))
        #expect(text.contains("x=\"40.0\"") && text.contains("width=\"900.0\""))
    }
}
