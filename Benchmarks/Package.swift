// swift-tools-version: 6.1
// Benchmarks live in their own package (as swift-nio's do) so `swift build` and CI never compile
// them. Run from this folder: swift run -c release ingot-bench tokenize CORPUS.jsonl
import Foundation
import PackageDescription

// The package above is named after its folder, whatever the clone is called.
let ingot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "IngotBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "ingot-bench",
            dependencies: [.product(name: "Ingot", package: ingot)],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
