// swift-tools-version:6.1
// Minibot: a compact continuous-integration system in the Buildbot tradition.
//
// The target graph is the architecture (see DESIGN.md §2): dependencies point inward,
// toward MinibotCore; executables are thin wiring over the libraries.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "minibot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "minibot", targets: ["minibot"]),
        .executable(name: "minibot-master", targets: ["minibot-master"]),
        .executable(name: "minibot-worker", targets: ["minibot-worker"]),
        .executable(name: "minibot-agent", targets: ["minibot-agent"]),
        .executable(name: "minibot-bench", targets: ["minibot-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // Used directly, and so declared: HTTP field names (Hummingbird's types) and file
        // descriptors (swift-subprocess's).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The web UI's server-rendered pages (templates embedded in the binary).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // bcrypt for the web UI's named users (HummingbirdBcrypt only: no sessions framework).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // MARK: libraries
        .target(name: "MinibotCore", swiftSettings: strict),
        // The host's side of availability, apart from the core: reading /proc, time windows,
        // load hysteresis. Used by the worker, the agent and the availability plugin.
        .target(name: "MinibotHostFacts", swiftSettings: strict),
        .target(
            name: "MinibotConfig",
            // HostFacts for the window block, read here once for master.cfg and agent.yaml.
            dependencies: ["MinibotHostFacts", "MinibotCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotProtocol",
            dependencies: [
                "MinibotHostFacts", "MinibotCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // AgentClient is a Service with a logger (the worker runs it in its ServiceGroup).
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "MinibotGit", dependencies: ["CLibgit2"], swiftSettings: strict),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // zstd (Debian's libzstd-dev): what step output is compressed in; zlib stays readable.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(name: "MinibotCompression", dependencies: ["MinibotCore", "CZlib", "CZstd"], swiftSettings: strict),
        // The store protocol and its values; the master builds against this alone.
        .target(name: "MinibotStore", dependencies: ["MinibotCore"], swiftSettings: strict),
        // The embedded default store (SQLite through GRDB); the executables hand it to the master.
        .target(
            name: "MinibotSQLite",
            dependencies: [
                "MinibotCore", "MinibotStore", "MinibotCompression",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The shared store for several masters (PostgreSQL through postgres-nio); chosen by
        // `db: postgresql://…` in master.cfg.
        .target(
            name: "MinibotPostgres",
            dependencies: [
                "MinibotCore", "MinibotStore", "MinibotCompression",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotMaster",
            dependencies: [
                "MinibotCore", "MinibotConfig", "MinibotProtocol", "MinibotGit", "MinibotStore",
                // AdaptiveCompressor: a stock worker's text output is stored compressed.
                "MinibotCompression",
                // DirectoryLock: one master per directory.
                "MinibotHostFacts",
                .product(name: "Hummingbird", package: "hummingbird"),
                // ConnectionCap (AvailableConnectionsDelegate is not re-exported by Hummingbird).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // WebPassword runs bcrypt on NIO's thread pool, off the event loops.
                .product(name: "NIOPosix", package: "swift-nio"),
                // StreamRefusal closes a refused client's connection; a refused stock-worker
                // upgrade answers 401/409 itself (RefusedUpgrade).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotWorker",
            dependencies: [
                "MinibotHostFacts", "MinibotCore", "MinibotProtocol", "MinibotGit", "MinibotCompression", "CStepSupervisor",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotAvailability",
            dependencies: ["MinibotHostFacts", "MinibotCore", "MinibotConfig", "MinibotProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotAgent",
            dependencies: [
                // MinibotConfig reads agent.yaml as it reads master.cfg.
                "MinibotHostFacts", "MinibotCore", "MinibotConfig", "MinibotProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `minibot availability simulate`: recorded load and build arrivals replayed through
        // the availability policy, the distributor's pass and the agent's arbiter.
        .target(
            name: "MinibotSimulation",
            dependencies: ["MinibotCore", "MinibotHostFacts", "MinibotAvailability", "MinibotAgent", "MinibotProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "MinibotClient",
            dependencies: [
                "MinibotCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(name: "CProcessExit"),
        // prctl(PR_SET_PDEATHSIG) for the step supervisor (a variadic call Swift cannot make).
        .target(name: "CStepSupervisor"),
        .target(
            name: "MinibotTesting",
            // MinibotStore for StoreConformance, the suite every store passes (and
            // MinibotCompression for its compressed log chunks).
            dependencies: ["MinibotCore", "MinibotClient", "MinibotStore", "MinibotCompression", "CProcessExit"],
            swiftSettings: strict
        ),

        // MARK: executables (argument parsing and wiring only)
        .executableTarget(
            name: "minibot",
            dependencies: [
                "MinibotCore", "MinibotMaster", "MinibotAvailability", "MinibotClient", "MinibotSQLite", "MinibotPostgres",
                "MinibotHostFacts", "MinibotSimulation", "MinibotAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/master.cfg.example")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "minibot-worker",
            dependencies: [
                // MinibotConfig reads worker.yaml as it reads master.cfg.
                "MinibotWorker", "MinibotConfig", "MinibotCore", "MinibotHostFacts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "minibot-agent",
            dependencies: [
                "MinibotAgent", "MinibotProtocol", "MinibotCore", "MinibotHostFacts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The master process alone: `minibot start` runs it when it sits next to `minibot`, so
        // a running master does not carry the command-line client's HTTP and TLS stacks.
        .executableTarget(
            name: "minibot-master",
            dependencies: [
                "MinibotCore", "MinibotMaster", "MinibotAvailability", "MinibotSQLite", "MinibotPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "minibot-bench",
            dependencies: [
                "MinibotCore", "MinibotClient", "MinibotTesting", "MinibotProtocol",
                // The history scenario fills a database through the store; the log one
                // checkpoints it before measuring its size.
                "MinibotSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Simulated workers speak WorkerWire over real WebSockets.
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                // The web scenario holds 100 event streams open.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),


        // MARK: tests
        .testTarget(name: "MinibotCoreTests", dependencies: ["MinibotCore"]),
        .testTarget(name: "MinibotHostFactsTests", dependencies: ["MinibotHostFacts"]),
        .testTarget(name: "MinibotProtocolTests", dependencies: ["MinibotProtocol", "MinibotHostFacts"]),
        .testTarget(name: "MinibotConfigTests", dependencies: ["MinibotConfig", "MinibotCore", "MinibotHostFacts"]),
        .testTarget(
            name: "MinibotSQLiteTests",
            dependencies: ["MinibotSQLite", "MinibotStore", "MinibotCore", "MinibotCompression", "MinibotTesting"]
        ),
        // A throw-away PostgreSQL server per suite (PostgresFixture in MinibotTesting).
        .testTarget(
            name: "MinibotPostgresTests",
            dependencies: ["MinibotPostgres", "MinibotStore", "MinibotCore", "MinibotTesting"]
        ),
        .testTarget(name: "MinibotGitTests", dependencies: ["MinibotGit", "MinibotTesting"]),
        // The master's services in-process: a manual clock, no sockets where none are needed.
        .testTarget(
            name: "MinibotMasterTests",
            dependencies: [
                "MinibotMaster", "MinibotTesting", "MinibotCore", "MinibotConfig", "MinibotProtocol", "MinibotStore",
                "MinibotSQLite", "MinibotHostFacts", "MinibotCompression", .product(name: "Logging", package: "swift-log"),
                // The view models' own Mustache lookups are checked against their properties.
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .testTarget(name: "MinibotAvailabilityTests", dependencies: ["MinibotHostFacts", "MinibotAvailability", "MinibotProtocol", "MinibotCore"]),
        .testTarget(
            name: "MinibotSimulationTests",
            dependencies: ["MinibotSimulation", "MinibotAvailability", "MinibotAgent", "MinibotHostFacts", "MinibotCore"]
        ),
        .testTarget(
            name: "MinibotAgentTests",
            dependencies: ["MinibotHostFacts", "MinibotAgent", "MinibotProtocol", "MinibotCore", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "MinibotWorkerTests",
            dependencies: [
                "MinibotHostFacts", "MinibotWorker", "MinibotProtocol", "MinibotTesting", "MinibotCompression", "MinibotCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MinibotIntegrationTests",
            dependencies: [
                "MinibotTesting", "MinibotClient", "MinibotCore",
                // The flight recorder test writes an agent's samples file itself.
                "MinibotHostFacts",
                // A raw WebSocket client, to send the worker endpoint what a real worker never would.
                "MinibotProtocol",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                // HMAC signatures for the change hook's secret.
                .product(name: "Crypto", package: "swift-crypto"),
                // A streaming HTTP client, to read the web UI's Server-Sent Events as they come.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The browser-like client reads response headers (Set-Cookie, Location).
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)

// The libFuzzer targets, only for `scripts/fuzz` (MINIBOT_FUZZ=1 with a build path and flags of
// their own): `swift build` and `swift test` never see them.
if Context.environment["MINIBOT_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "minibot-fuzz",
        dependencies: [
            "MinibotAgent", "MinibotAvailability", "MinibotConfig", "MinibotCore", "MinibotHostFacts", "MinibotProtocol",
            .product(name: "NIOCore", package: "swift-nio"),
        ],
        path: "Fuzz/minibot-fuzz",
        swiftSettings: strict
    ))
    package.products.append(.executable(name: "minibot-fuzz", targets: ["minibot-fuzz"]))
}
