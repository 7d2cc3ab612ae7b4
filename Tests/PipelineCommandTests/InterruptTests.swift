import Foundation
import IngotTestSupport
import Testing

/// Ctrl-C during a run: the process exits 130, removes its temporary files, and leaves no index.
@Suite struct InterruptTests {
    @Test func sigintStopsCleanly() throws {
        let dir = try TestPaths.makeTemporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        // About 40 MB: far more than a run finishes in the time it takes to see its first frame.
        let line = Fixtures.jsonLine(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40))
        let block = String(repeating: line + "\n", count: 1000)
        let corpus = dir.appendingPathComponent("big.jsonl")
        _ = FileManager.default.createFile(atPath: corpus.path, contents: nil)
        let handle = try FileHandle(forWritingTo: corpus)
        for _ in 0..<22 { handle.write(Data(block.utf8)) }
        try handle.close()

        let output = dir.appendingPathComponent("out")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PipelineCommandTests.executable)
        process.arguments = ["run", "pretrain", "--input", corpus.path, "--output", output.path, "--workers", "2", "--partition-mb", "4"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the run is writing (a temporary shard file exists), then interrupt it.
        let staging = output.appendingPathComponent(".ingot/staging")
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
            if names.contains(where: { $0.hasSuffix(".tmp") }) { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(process.isRunning, "the run must still be going when interrupted")
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        #expect(!left.contains("index.json"))
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
        #expect(!staged.contains { $0.hasSuffix(".tmp") }, "\(staged)")
    }
}
