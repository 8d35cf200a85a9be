/// The values a load or a pressure may take, wherever it comes from: a worker's report, the
/// agent's samples, a threshold in `master.cfg` or `agent.yaml`, a command-line option.
///
/// Finite and bounded, so that no sum, product or formatting of them overflows or traps. A
/// 1-minute load of 100,000 is far beyond any machine; a pressure is a percentage.
public enum LoadBounds {
    public static let load: ClosedRange<Double> = 0...100_000
    public static let pressure: ClosedRange<Double> = 0...100
    /// Free memory in bytes: up to 1 PiB (2^50, exact as a `Double`; `LoadReader` refuses more).
    public static let memory: ClosedRange<Double> = 0...1_125_899_906_842_624

    /// Whether `value` is a load within ``load`` (NaN is not).
    public static func isLoad(_ value: Double) -> Bool { value.isFinite && load.contains(value) }

    /// Whether `value` is a pressure within ``pressure``.
    public static func isPressure(_ value: Double) -> Bool { value.isFinite && pressure.contains(value) }

    /// Whether `value` is an amount of memory within ``memory``.
    public static func isMemory(_ value: Double) -> Bool { value.isFinite && memory.contains(value) }
}
