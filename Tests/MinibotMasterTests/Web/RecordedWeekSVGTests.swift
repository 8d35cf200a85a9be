import Foundation
import MinibotCore
import MinibotHostFacts
@testable import MinibotMaster
import Testing

/// The recorded week as a picture: at most 600 points per line (worst value per bucket), gaps
/// break the lines, and a worker that cannot answer gets a picture that says why.
@Suite struct RecordedWeekSVGTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let utc = TimeZone(identifier: "UTC")!

    func sample(_ ago: TimeInterval, load: Double, cpu: Double? = 1, free: Double? = 4e9) -> LoadSample {
        LoadSample(load1: load, load5: 0, load15: 0, cpuPressureSome10: cpu, memoryPressureSome10: 2, ioPressureSome10: nil,
                   memAvailableBytes: free, time: now.addingTimeInterval(-ago))
    }

    @Test func aFullWeekIsDownsampledToTheWorstPerBucket() {
        // 60,480 samples, every 10 s; one spike of 9 and one dip of free memory in the same bucket.
        var week = (0..<60_480).map { sample(Double($0) * 10 + 5, load: 0.5) }
        week[100] = sample(1_005, load: 9, cpu: 80, free: 1e9)
        let buckets = RecordedWeekSVG.downsample(week, from: now.addingTimeInterval(-RecordedWeekSVG.span))
        #expect(buckets.count == 600)
        #expect(buckets.map(\.maxLoad).max() == 9 && buckets.filter { $0.maxLoad == 9 }.count == 1)
        #expect(buckets.compactMap(\.minFreeMemory).min() == 1e9)
        #expect(buckets.allSatisfy { $0.maxIOPressure == nil })
        let svg = RecordedWeekSVG(worker: "w1", now: now, zone: utc, samples: week).svg
        let loadLines = svg.components(separatedBy: "<polyline class=\"load\"").dropFirst()
        #expect(loadLines.count == 1)
        let points = loadLines.first?.components(separatedBy: "points=\"").dropFirst().first?
            .prefix { $0 != "\"" }.split(separator: " ").count
        #expect(points == 600)
        #expect(svg.contains("<polyline class=\"cpu\"") && svg.contains("<polyline class=\"memory\"")
            && svg.contains("<polyline class=\"free\""))
        #expect(!svg.contains("<polyline class=\"io\""))  // never reported: no line
        #expect(svg.components(separatedBy: "class=\"tick\"").count - 1 == 7)
        #expect(!svg.contains("style="))
    }

    @Test func aGapBreaksTheLineAndOutsideSamplesAreIgnored() {
        let samples = [sample(3 * 86_400, load: 1), sample(3 * 86_400 - 10, load: 2),
                       sample(86_400, load: 3),
                       sample(8 * 86_400, load: 50), sample(-3600, load: 60),
                       LoadSample(load1: .nan, load5: 0, load15: 0, time: now.addingTimeInterval(-100))]
        let svg = RecordedWeekSVG(worker: "w1", now: now, zone: utc, samples: samples).svg
        #expect(svg.components(separatedBy: "<polyline class=\"load\"").count - 1 == 2)
        #expect(svg.contains(">3.3<"))  // the scale: 1.1 × the highest load kept (3)
    }

    @Test func whyThereIsNothingIsSaidAndEscaped() {
        let svg = RecordedWeekSVG(worker: "w<1>", now: now, zone: utc, samples: [],
                                  unavailable: "worker w<1> is not connected").svg
        #expect(svg.contains("recorded week: worker w&lt;1&gt; is not connected"))
        #expect(svg.contains("aria-label=\"recorded load of w&lt;1&gt;\"") && !svg.contains("<polyline"))
        let empty = RecordedWeekSVG(worker: "w1", now: now, zone: utc, samples: []).svg
        #expect(empty.contains("no samples recorded in the past 7 days"))
    }
}
