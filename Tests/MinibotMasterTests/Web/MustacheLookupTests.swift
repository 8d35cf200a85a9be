import Foundation
import MinibotCore
@testable import MinibotMaster
import Mustache
import Testing

/// The view models that answer Mustache's lookups themselves (for speed) answer every one
/// of their stored properties, so a template never renders a property as empty by mistake.
@Suite struct MustacheLookupTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func answersEveryProperty(_ value: any MustacheParent) {
        for child in Mirror(reflecting: value).children {
            guard let label = child.label else { continue }
            let isNil = Mirror(reflecting: child.value).displayStyle == .optional && Mirror(reflecting: child.value).children.isEmpty
            if isNil { continue }
            #expect(value.child(named: label) != nil, "\(type(of: value)) does not answer '\(label)'")
        }
        #expect(value.child(named: "no such name") == nil)
    }

    @Test func everyStoredPropertyIsAnswered() {
        let running = Build(id: 1, number: 1, builderName: "b", buildRequestID: 1, workerName: "w", startedAt: t0,
                            completedAt: nil, results: nil, stateString: "running")
        let row = BuildRow(running, now: t0.addingTimeInterval(30), typical: 60)
        #expect(row.progress != nil)
        answersEveryProperty(row)
        answersEveryProperty(try! #require(row.progress))
        answersEveryProperty(row.look)
        let home = HomePage.make(title: "t", builders: ["b"], builds: [running], pending: [:], workers: [], now: t0)
        answersEveryProperty(home.builders[0])
        answersEveryProperty(home.builders[0].cells[0])
        var tail = LogTail(keep: 5)
        tail.feed("one\ntwo\n")
        let page = BuildPage.make(title: "t", build: running, steps: [
            BuildStep(buildID: 1, number: 0, name: "s", startedAt: t0, completedAt: nil, results: nil, stateString: "running"),
        ], request: nil, changes: [], logs: [0: tail], now: t0)
        answersEveryProperty(page.steps[0])
        answersEveryProperty(page.steps[0].lines[0])
    }
}
