public import Foundation

/// Locations tests need: the package root, the shared fixtures beside it, scratch directories.
public enum TestPaths {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared` (real tokenizers, oracle ids, sample corpora), or `$INGOT_SHARED`.
    public static let shared: URL = {
        if let override = ProcessInfo.processInfo.environment["INGOT_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// Whether the shared fixtures are beside this clone.
    public static var sharedAvailable: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("tokenizers/cases.jsonl").path)
    }

    /// Whether tests that need the shared fixtures must run (and fail without them) instead of
    /// being skipped: set `INGOT_REQUIRE_SHARED=1`, as CI does.
    public static var sharedRequired: Bool {
        ProcessInfo.processInfo.environment["INGOT_REQUIRE_SHARED"] == "1"
    }

    /// The directory holding the built products (`.build/debug`), found from the test binary.
    public static let buildProducts: URL = {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var url = executable.deletingLastPathComponent()
        // The xctest bundle may be a directory on some platforms: climb out of it.
        while url.pathExtension == "xctest" || url.lastPathComponent == "Contents" || url.lastPathComponent == "MacOS" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// A fresh, empty directory under the system's temporary directory.
    public static func makeTemporaryDirectory(_ label: String = "ingot-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
