// swift-tools-version: 6.1
// The libFuzzer driver for Ingot's parsers, in its own package so `swift build` never compiles it
// with the fuzzer's instrumentation. Build and run with ../scripts/fuzz.sh.
import Foundation
import PackageDescription

// The package above is named after its folder, whatever the clone is called.
let ingot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "IngotFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "ingot-fuzz",
            dependencies: [.product(name: "IngotFuzzTargets", package: ingot)],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]
        )
    ]
)
