import ArgumentParser
import Foundation
import MinibotMaster

/// `minibot hash-password`: reads a password on standard input and prints its bcrypt hash,
/// for a `www.users` entry's `password_hash`. The password never appears in a command line.
struct HashPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print the bcrypt hash of a password read from standard input (for www.users in master.cfg).")

    @Option(name: .long, help: "bcrypt cost, 10 to 16 (each step doubles the time a login takes).") var cost: Int = 12

    func run() async throws {
        guard (10...16).contains(cost), let bcryptCost = UInt8(exactly: cost) else {
            throw Failure.usage("--cost must be between 10 and 16 (the default is 12)")
        }
        // One line, at most 1 KiB; bcrypt itself reads the first 72 bytes.
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw Failure.usage("give the password on standard input, e.g. `minibot hash-password < file` or type it and press Enter")
        }
        guard line.utf8.count <= 72 else {
            throw Failure.usage("bcrypt reads only a password's first 72 bytes; choose a shorter one")
        }
        print(WebPassword.hash(line, cost: bcryptCost))
    }
}
