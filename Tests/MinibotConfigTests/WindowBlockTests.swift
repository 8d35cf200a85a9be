import MinibotConfig
import MinibotCore
import MinibotHostFacts
import Testing

/// The window block `{when, timezone, mode, lead, reason}`: read once, for master.cfg and agent.yaml.
@Suite struct WindowBlockTests {
    func read(_ text: String) -> (windows: [WindowRule]?, errors: [String]) {
        do {
            let document = try YAMLDocument(text: text, path: "f.yaml")
            let reader = ConfigReader(errors: document.errors)
            let windows = document.root["windows"].flatMap { reader.windows($0) }
            return (windows, reader.errors.map(\.description))
        } catch {
            return (nil, error.errors.map(\.description))
        }
    }

    @Test func readsBareAndFullForms() throws {
        let (windows, errors) = read("""
            windows:
              - "Sat,Sun"
              - {when: "Mon-Fri 09:00-17:00", timezone: Europe/Paris, mode: advisory, lead: 15m, reason: office}
            """)
        #expect(errors.isEmpty)
        let list = try #require(windows)
        #expect(list.count == 2)
        #expect(list[0].mode == .unavailable && list[0].reason == "restricted hours" && list[0].lead == 0)
        #expect(list[1].mode == .advisory && list[1].lead == 900 && list[1].reason == "office")
        #expect(list[1].window.timeZone.identifier == "Europe/Paris")
    }

    @Test func reportsEveryBadField() {
        let (_, errors) = read("""
            windows:
              - {when: "Mon-Fri 09:00-17:00", timezone: Mars/Olympus, mode: sometimes, lead: inf}
              - {timezone: UTC}
            """)
        #expect(errors.count == 4, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("f.yaml:2:45: unknown time zone 'Mars/Olympus'") })
        #expect(errors.contains { $0.hasPrefix("f.yaml:2:65: 'sometimes' is not a valid 'mode'") })
        #expect(errors.contains { $0.hasPrefix("f.yaml:2:82: 'inf' is not a duration for 'lead'") })
        #expect(errors.contains { $0.hasPrefix("f.yaml:3:5: a window needs 'when'") })
    }
}
