// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilVision", targets: ["VigilVision"]),
        .library(name: "VigilSynth", targets: ["VigilSynth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // The FFmpeg C libraries, found through pkg-config. Only VigilMedia imports this.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev", "pkg-config"])]
        ),
        // FFmpeg's log callback: C of its own (it needs a thread-local with one definition).
        .target(name: "CVigilLog", dependencies: ["CFFmpeg"]),
        .target(name: "VigilMedia", dependencies: ["CFFmpeg", "CVigilLog", "VigilVision"]),
        .target(name: "VigilVision"),
        .target(name: "VigilSynth", dependencies: ["VigilVision"]),
        // Rules that turn per-frame observations into events; no image processing.
        .target(name: "VigilAnalytics", dependencies: ["VigilVision", "VigilEvents"]),
        // Events and the durable queue file: no dependency on video code.
        .target(name: "VigilEvents"),
        .target(name: "VigilConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Event clips: the compressed video around each alarm, copied from the source's packets.
        .target(name: "VigilClips", dependencies: ["VigilMedia", "VigilEvents"]),
        .target(name: "VigilPipeline", dependencies: ["VigilMedia", "VigilVision", "VigilConfig", "VigilSynth", "VigilAnalytics", "VigilEvents", "VigilClips"]),
        // Live cameras: the per-camera worker, its fleet supervisor, metrics, health and logs.
        .target(
            name: "VigilService",
            dependencies: [
                "VigilPipeline", "VigilMedia", "VigilConfig", "VigilEvents", "VigilVision", "VigilClips",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The operator console: web page and JSON API over the queue, the workers' state files
        // and pictures, with a SQLite search index (its own consumer of the queue).
        .target(
            name: "VigilConsole",
            dependencies: [
                "VigilConfig", "VigilEvents", "VigilService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Assets")]
        ),
        // The city-wide store: every event of this host's queue into PostgreSQL, exactly once
        // (a key from the queue position), and the cameras' state for `vigil status --all-hosts`.
        .target(
            name: "VigilForward",
            dependencies: [
                "VigilConfig", "VigilEvents", "VigilService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilService", "VigilConsole", "VigilForward", "VigilPipeline", "VigilMedia", "VigilSynth", "VigilConfig", "VigilVision", "VigilEvents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the tests: temporary folders and synthetic clips.
        .target(name: "VigilTestSupport", dependencies: ["VigilMedia", "VigilPipeline", "VigilSynth"]),
        // In-process micro-benchmarks, driven by the scripts in bench/.
        .executableTarget(name: "vigil-bench", dependencies: ["VigilAnalytics", "VigilEvents", "VigilSynth", "VigilVision", "VigilTestSupport"]),
        // libFuzzer harnesses for the YAML reader, queue records and appended events (bench/fuzz.sh).
        .executableTarget(name: "vigil-fuzz", dependencies: ["VigilConfig", "VigilEvents"]),
        .testTarget(name: "VigilMediaTests", dependencies: ["VigilMedia", "VigilSynth", "VigilVision", "VigilPipeline", "VigilTestSupport"]),
        .testTarget(name: "VigilVisionTests", dependencies: ["VigilVision", "VigilSynth", "VigilAnalytics"]),
        .testTarget(name: "VigilAnalyticsTests", dependencies: ["VigilAnalytics", "VigilVision", "VigilSynth", "VigilEvents"]),
        .testTarget(name: "VigilSynthTests", dependencies: ["VigilSynth", "VigilVision"]),
        .testTarget(name: "VigilEventsTests", dependencies: ["VigilEvents", "VigilSynth", "VigilVision"]),
        .testTarget(name: "VigilConfigTests", dependencies: ["VigilConfig"]),
        .testTarget(name: "VigilCLITests", dependencies: ["vigil", "VigilSynth", "VigilVision", "VigilMedia", "VigilTestSupport"]),
        .testTarget(name: "VigilServiceTests", dependencies: ["vigil", "VigilService", "VigilEvents", "VigilTestSupport", "VigilMedia", "VigilSynth", "VigilPipeline", "VigilConfig"]),
        .testTarget(name: "VigilConsoleTests", dependencies: [
            "VigilConsole", "VigilConfig", "VigilEvents",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "VigilForwardTests", dependencies: [
            "VigilForward", "VigilConfig", "VigilEvents", "VigilTestSupport",
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "VigilClipsTests", dependencies: ["VigilClips", "VigilMedia", "VigilEvents", "VigilConfig", "VigilPipeline", "VigilSynth", "VigilTestSupport"]),
        .testTarget(name: "VigilPipelineTests", dependencies: ["VigilPipeline", "VigilMedia", "VigilSynth", "VigilConfig", "VigilTestSupport"]),
    ]
)
