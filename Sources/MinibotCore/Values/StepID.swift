/// `stepid` and `logid` in the API (a step has one log, `stdio`, so both are the same
/// number): the build id and the step number in one integer, as Buildbot numbers steps and
/// logs across builds. `buildid × 4096 + number`; master.cfg allows at most 4096 steps a builder.
public enum StepID {
    public static let perBuild: Int64 = 4096

    /// The id of step `step` (from 0) of build `build`; nil outside the range.
    public static func of(build: Int64, step: Int) -> Int64? {
        guard build >= 0, build < Int64.max / perBuild, step >= 0, Int64(step) < perBuild else { return nil }
        return build * perBuild + Int64(step)
    }

    /// The build and step an id names; nil for a negative one.
    public static func parts(_ id: Int64) -> (build: Int64, step: Int)? {
        guard id >= 0 else { return nil }
        return (id / perBuild, Int(id % perBuild))
    }
}
