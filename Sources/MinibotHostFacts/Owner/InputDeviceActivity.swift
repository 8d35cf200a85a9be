import Foundation

/// The fallback for a worker without logind: the newest access or modification time of the
/// input devices (`/dev/input/event*`), taken as the owner's last input.
///
/// Needs no permission on the devices themselves (only `stat`). Whether those times move with
/// each key press depends on the system (the device nodes' `atime` is updated as the display
/// server reads events, subject to the mount's `relatime`/`noatime`), so it is a fallback,
/// documented as such.
public enum InputDeviceActivity {
    /// The newest time of at most 256 `event*` nodes under `directory`; nil when there is none.
    public static func newest(in directory: String = "/dev/input") -> Date? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var newest: Date?
        for name in names.filter({ $0.hasPrefix("event") }).sorted().prefix(256) {
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { continue }
            for time in [info.st_atim, info.st_mtim] {
                let date = Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
                if newest.map({ date > $0 }) ?? true { newest = date }
            }
        }
        return newest
    }
}
