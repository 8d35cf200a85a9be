import ArgumentParser
import Foundation
import MinibotWorker

// Entry point. ArgumentParser's own exit codes (64 for usage) are replaced by Minibot's
// convention: 0 success, 1 the thing failed, 2 usage error — each with a one-line message.
#if os(Linux)
// A step's supervisor (StepSupervisor): before anything else, while this process is one thread.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == StepSupervisor.argument {
    StepSupervisor.main(Array(CommandLine.arguments.dropFirst()))
}
#endif

do {
    var command = try WorkerCommand.parseAsRoot()
    switch command {
    case let start as WorkerCommand.Start:
        try await start.runWorker()
    case let availability as WorkerCommand.Availability:
        try await availability.runAvailability()
    default:
        try command.run()
    }
} catch let error as ControlClientError {
    // Worker not running, master not connected or refusing: the change was not made.
    FileHandle.standardError.write(Data("minibot-worker: \(error.description)\n".utf8))
    exit(2)
} catch let error as CLIError {
    FileHandle.standardError.write(Data("minibot-worker: \(error.description)\n".utf8))
    exit(1)
} catch {
    let code = WorkerCommand.exitCode(for: error)
    if code == .success {
        // --help and friends.
        print(WorkerCommand.fullMessage(for: error))
        exit(0)
    }
    let message = WorkerCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    let isUsage = code == .validationFailure || error is ValidationError
    FileHandle.standardError.write(Data("minibot-worker: \(message)\(isUsage ? " (see --help)" : "")\n".utf8))
    exit(isUsage ? 2 : 1)
}
