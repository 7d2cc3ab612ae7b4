import Foundation
import IngotTestSupport
import Testing

/// kill -9 at many moments of a run, then `--resume`: the result is byte for byte an
/// uninterrupted run's, and between the kill and the resume nothing looks like a dataset.
@Suite(.serialized) struct ResumeTests {
    /// About 4 MB of sample documents in 8 files: 4 partitions of 1 MiB, several seconds of work.
    static func corpus(in dir: URL) throws -> URL {
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let lines = try String(contentsOf: Fixtures.sampleCorpus, encoding: .utf8).split(separator: "\n")
        for file in 0..<8 {
            let chunk = lines.enumerated().filter { $0.offset % 4 == file % 4 }.map(\.element).joined(separator: "\n") + "\n"
            try chunk.write(to: corpus.appendingPathComponent(String(format: "part-%02d.jsonl", file)), atomically: true, encoding: .utf8)
        }
        return corpus
    }

    static func arguments(_ corpus: URL, _ output: URL, _ extra: [String] = []) -> [String] {
        ["run", "pretrain", "--input", corpus.path, "--output", output.path, "--seq-len", "512", "--partition-mb", "1",
         "--workers", "2", "--rows-per-shard", "64"] + extra
    }

    /// Every file of the published dataset (hidden workspace files aside), name -> bytes.
    static func dataset(_ url: URL) throws -> [String: Data] {
        try Fixtures.directoryContents(url)
    }

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PipelineCommandTests.executable)
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Returns once a run into `output` has recorded a finished partition (or after a minute).
    static func waitForAFinishedPartition(in output: URL) {
        let staging = output.appendingPathComponent(".ingot/staging")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
            if names.contains(where: { $0.hasSuffix(".done.json") }) { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func killedRunsResumeToTheSameBytes() throws {
        let dir = try TestPaths.makeTemporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.corpus(in: dir)
        let clean = dir.appendingPathComponent("clean")
        let clock = ContinuousClock()
        let started = clock.now
        let result = try PipelineCommandTests.pipeline(Self.arguments(corpus, clean))
        let duration = (clock.now - started).seconds
        #expect(result.status == 0, "\(result.stderr)")
        let reference = try Self.dataset(clean)
        #expect(reference.keys.filter { $0.hasPrefix("part-") }.count > 8, "several partitions of several shards")

        // Kill at spread moments: reading and tokenizing, shard writes, partitions finishing,
        // and the end (publishing the index).
        let moments = [0.05, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.97, 1.0]
        var resumedPartitions = 0
        for (k, fraction) in moments.enumerated() {
            let output = dir.appendingPathComponent("killed-\(k)")
            let process = try Self.start(Self.arguments(corpus, output))
            Thread.sleep(forTimeInterval: duration * fraction)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let index = output.appendingPathComponent("index.json")
            if FileManager.default.fileExists(atPath: index.path) {
                // Killed after publishing: the dataset is complete, and is the clean one.
                #expect(try Self.dataset(output) == reference, "moment \(fraction): a published dataset differs")
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            #expect(!names.contains("index.json"), "moment \(fraction): something looks complete")
            // Without --resume, the same command points at the interrupted run (once it has one).
            if FileManager.default.fileExists(atPath: output.appendingPathComponent(".ingot/run.json").path) {
                let again = try PipelineCommandTests.pipeline(Self.arguments(corpus, output))
                #expect(again.status == 1 && again.stderr.contains("--resume"), "\(again.stderr)")
            }
            let resumed = try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--resume"]))
            #expect(resumed.status == 0, "moment \(fraction): \(resumed.stderr)")
            if let kept = resumed.stdout.firstMatch(of: /, (\d+) kept from the interrupted run/) { resumedPartitions += Int(kept.1)! }
            #expect(try Self.dataset(output) == reference, "moment \(fraction): the resumed dataset differs from a clean run")
            let verify = try PipelineCommandTests.pipeline(["verify", output.path])
            #expect(verify.status == 0, "\(verify.stderr)")
            try? FileManager.default.removeItem(at: output)
        }
        #expect(resumedPartitions > 0, "some kill must land after a partition finished, or resume was never exercised")
    }

    /// An interrupted `--overwrite` run leaves the old dataset as it was, readable; resuming the
    /// new run replaces it.
    @Test func killedOverwriteKeepsTheOldDataset() throws {
        let dir = try TestPaths.makeTemporaryDirectory("overwrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.corpus(in: dir)
        let output = dir.appendingPathComponent("out")
        let first = try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--seq-len", "256"]))
        #expect(first.status == 0, "\(first.stderr)")
        let old = try Self.dataset(output)

        let process = try Self.start(Self.arguments(corpus, output, ["--overwrite"]))
        Self.waitForAFinishedPartition(in: output)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try Self.dataset(output) == old, "the old dataset must survive an interrupted --overwrite")
        #expect(try PipelineCommandTests.pipeline(["verify", output.path]).status == 0)

        let resumed = try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--resume"]))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let clean = dir.appendingPathComponent("clean")
        #expect(try PipelineCommandTests.pipeline(Self.arguments(corpus, clean)).status == 0)
        #expect(try Self.dataset(output) == Self.dataset(clean))
    }

    /// A second run into a directory in use fails at once, naming the first; the first is unharmed.
    @Test func aSecondRunIsLockedOut() throws {
        let dir = try TestPaths.makeTemporaryDirectory("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.corpus(in: dir)
        let output = dir.appendingPathComponent("out")
        let first = try Self.start(Self.arguments(corpus, output))
        let lock = output.appendingPathComponent(".ingot/lock")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? String(contentsOf: lock, encoding: .utf8)) ?? "").isEmpty {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let second = try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--overwrite"]))
        #expect(second.status == 1)
        #expect(second.stderr.contains("in use by another run (pid \(first.processIdentifier) on"), "\(second.stderr)")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try PipelineCommandTests.pipeline(["verify", output.path]).status == 0)
        // Released on exit: the directory can be used again.
        #expect(try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--overwrite"])).status == 0)
    }

    /// Resuming with other options or inputs is refused, saying what changed.
    @Test func resumeRefusesAnotherJob() throws {
        let dir = try TestPaths.makeTemporaryDirectory("resume-other")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.corpus(in: dir)
        let output = dir.appendingPathComponent("out")
        let process = try Self.start(Self.arguments(corpus, output))
        Self.waitForAFinishedPartition(in: output)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let other = try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--resume", "--pack", "greedy"]))
        #expect(other.status == 1)
        #expect(other.stderr.contains("packing best-fit(window: 2048) -> greedy"), "\(other.stderr)")
    }
}

extension Duration {
    var seconds: Double { Double(self.components.seconds) + Double(self.components.attoseconds) * 1e-18 }
}
