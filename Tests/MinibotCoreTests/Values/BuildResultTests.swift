import Testing
import MinibotCore

@Suite struct BuildResultTests {
    @Test func worstWinsInBuildbotsOrder() {
        #expect(BuildResult.worst(.success, .warnings) == .warnings)
        #expect(BuildResult.worst(.failure, .warnings) == .failure)
        #expect(BuildResult.worst(.failure, .exception) == .exception)
        #expect(BuildResult.worst(.retry, .exception) == .retry)
        #expect(BuildResult.worst(.cancelled, .retry) == .cancelled)
    }

    @Test func skippedNeverMakesAResultWorse() {
        #expect(BuildResult.worst(.skipped, .success) == .success)
        #expect(BuildResult.worst(.failure, .skipped) == .failure)
        #expect(BuildResult.worst(.skipped, .skipped) == .skipped)
    }

    @Test func foldOfSteps() {
        #expect(BuildResult.fold([]) == .success)
        #expect(BuildResult.fold([.skipped, .skipped]) == .skipped)
        #expect(BuildResult.fold([.success, .skipped]) == .success)
        #expect(BuildResult.fold([.success, .warnings, .success]) == .warnings)
        #expect(BuildResult.fold([.warnings, .failure, .skipped]) == .failure)
        #expect(BuildResult.fold([.success, .exception, .failure]) == .exception)
    }

    @Test func namesAndCodes() {
        #expect(BuildResult.allCases.map(\.rawValue) == Array(0...6))
        #expect(BuildResult.failure.name == "FAILURE")
        #expect("\(BuildResult.warnings)" == "WARNINGS")
        #expect(BuildResult(name: "success") == .success)
        #expect(BuildResult(name: "EXCEPTION") == .exception)
        #expect(BuildResult(name: "6") == .cancelled)
        #expect(BuildResult(name: "7") == nil)
        #expect(BuildResult(name: "great") == nil)
        #expect(BuildResult.warnings.isPassing)
        #expect(!BuildResult.skipped.isPassing)
    }
}
