import Foundation
import IngotTestSupport
import Testing

/// A run split into tasks (`--task-index`/`--task-count`) and published by `pipeline finalize`
/// writes a local run's bytes; finalize refuses, naming partitions and tasks, until every task
/// is done; a task run again keeps its finished partitions; runs that would mix are refused.
@Suite(.serialized) struct TaskRunTests {
    static func arguments(_ corpus: URL, _ output: URL, _ extra: [String] = []) -> [String] {
        ResumeTests.arguments(corpus, output, extra)
    }

    static func task(_ index: Int, of count: Int, _ corpus: URL, _ output: URL, _ extra: [String] = []) throws -> SubprocessResult {
        try PipelineCommandTests.pipeline(Self.arguments(corpus, output, ["--task-index", "\(index)", "--task-count", "\(count)"] + extra))
    }

    @Test func tasksAndFinalizeWriteALocalRunsBytes() throws {
        let dir = try TestPaths.makeTemporaryDirectory("tasks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try ResumeTests.corpus(in: dir)
        let local = dir.appendingPathComponent("local")
        let run = try PipelineCommandTests.pipeline(Self.arguments(corpus, local))
        #expect(run.status == 0, "\(run.stderr)")
        let reference = try Fixtures.directoryContents(local)

        // Two tasks at once (they share the directory's lock), then the third.
        let output = dir.appendingPathComponent("split")
        let first = try ResumeTests.start(Self.arguments(corpus, output, ["--task-index", "2", "--task-count", "3"]))
        let second = try ResumeTests.start(Self.arguments(corpus, output, ["--task-index", "0", "--task-count", "3"]))
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("index.json").path), "a task publishes nothing")

        // Finalize refuses while task 1 has not run, and names it.
        let early = try PipelineCommandTests.pipeline(["finalize", output.path])
        #expect(early.status == 1)
        #expect(early.stderr.contains("partitions are not done") && early.stderr.contains("(task 1)"), "\(early.stderr)")
        #expect(early.stderr.contains("tasks never started: 1") && early.stderr.contains("--only-tasks 1"), "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("index.json").path))

        // A task with other options is refused: it would not belong to this run.
        let odd = try Self.task(1, of: 3, corpus, output, ["--seq-len", "256"])
        #expect(odd.status == 1)
        #expect(odd.stderr.contains("different split run") && odd.stderr.contains("seq_len"), "\(odd.stderr)")
        let oddCount = try Self.task(1, of: 4, corpus, output)
        #expect(oddCount.status == 1 && oddCount.stderr.contains("--task-count 3 -> 4"), "\(oddCount.stderr)")
        // So is a whole run into the directory.
        let whole = try PipelineCommandTests.pipeline(Self.arguments(corpus, output))
        #expect(whole.status == 1 && whole.stderr.contains("split run"), "\(whole.stderr)")

        // Running a finished task again keeps its partitions.
        let again = try Self.task(0, of: 3, corpus, output)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("kept from an earlier run of this task"), "\(again.stdout)")

        let last = try Self.task(1, of: 3, corpus, output)
        #expect(last.status == 0, "\(last.stderr)")
        let finalized = try PipelineCommandTests.pipeline(["finalize", output.path])
        #expect(finalized.status == 0, "\(finalized.stderr)")
        #expect(finalized.stdout.contains("published the work of 3 tasks"), "\(finalized.stdout)")
        let published = try Fixtures.directoryContents(output)
        #expect(published.keys.sorted() == reference.keys.sorted())
        for (name, bytes) in reference {
            #expect(published[name] == bytes, "\(name) differs between the local run and 3 tasks + finalize")
        }
        // The workspace is gone; finalizing again is not an error.
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".ingot/tasks").path))
        let twice = try PipelineCommandTests.pipeline(["finalize", output.path])
        #expect(twice.status == 0 && twice.stdout.contains("already finalized"), "\(twice.stdout)\(twice.stderr)")
        #expect(try PipelineCommandTests.pipeline(["verify", output.path]).status == 0)
    }

    /// A shard file damaged after its task finished (same size, one byte changed) is caught by
    /// finalize, and by the task when it runs again, which then redoes that partition.
    @Test func aDamagedShardIsRefusedAndRedoneByItsTask() throws {
        let dir = try TestPaths.makeTemporaryDirectory("tasks-damaged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try ResumeTests.corpus(in: dir)
        let output = dir.appendingPathComponent("split")
        for task in 0..<2 {
            let result = try Self.task(task, of: 2, corpus, output)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let staging = output.appendingPathComponent(".ingot/staging")
        let victim = try #require(
            try FileManager.default.contentsOfDirectory(atPath: staging.path).sorted().first { $0.hasPrefix("part-00001-") && !$0.hasSuffix(".json") })
        let path = staging.appendingPathComponent(victim)
        var bytes = try Data(contentsOf: path)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: path)

        let refused = try PipelineCommandTests.pipeline(["finalize", output.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("partition 1 (task 1): \(victim)") && refused.stderr.contains("checksum"), "\(refused.stderr)")

        // Task 1 of 2 has partitions 1, 3 and 5: it keeps 3 and 5 and redoes the damaged 1.
        let redo = try Self.task(1, of: 2, corpus, output)
        #expect(redo.status == 0, "\(redo.stderr)")
        #expect(redo.stdout.contains("from 3 partitions (2 workers), 2 kept from an earlier run of this task"), "\(redo.stdout)")
        let finalized = try PipelineCommandTests.pipeline(["finalize", output.path])
        #expect(finalized.status == 0, "\(finalized.stderr)")
        #expect(try PipelineCommandTests.pipeline(["verify", output.path]).status == 0)
    }

    @Test func slurmDryRunPrintsTheArrayAndFinalizeScripts() throws {
        let dir = try TestPaths.makeTemporaryDirectory("slurm-dry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try ResumeTests.corpus(in: dir)
        let output = dir.appendingPathComponent("out")
        let result = try PipelineCommandTests.pipeline(
            ["slurm", "pretrain", "--input", corpus.path, "--output", output.path, "--partition-mb", "1", "--seq-len", "512",
             "--tasks", "3", "--only-tasks", "0,2", "--partition", "cpu", "--time", "1:00:00", "--cpus-per-task", "4", "--mem", "8G",
             "--sbatch-option=--account=ml", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("partitions over 3 tasks") && out.contains("submitting tasks 0,2 only"), "\(out)")
        for line in ["#SBATCH --array=0,2", "#SBATCH --partition=cpu", "#SBATCH --time=1:00:00", "#SBATCH --cpus-per-task=4",
                     "#SBATCH --mem=8G", "#SBATCH --account=ml", "#SBATCH --chdir=\(TestPaths.packageRoot.path)"] {
            #expect(out.contains(line), "missing \(line)")
        }
        // Each task runs the same arguments, without Slurm's, plus its index.
        #expect(out.contains("run pretrain --input \(corpus.path) --output \(output.path) --partition-mb 1 --seq-len 512 --task-index \"$SLURM_ARRAY_TASK_ID\" --task-count 3 --workers"), "\(out)")
        #expect(out.contains("finalize \(output.path)"))
        #expect(out.contains("--dependency=afterok:<array job id> --kill-on-invalid-dep=yes"))
        #expect(!FileManager.default.fileExists(atPath: output.path), "a dry run writes nothing")

        let wrong = try PipelineCommandTests.pipeline(["slurm", "pretrain", "--output", output.path, "--tasks", "3", "--only-tasks", "3", "--dry-run"])
        #expect(wrong.status != 0 && wrong.stderr.contains("--only-tasks"), "\(wrong.stderr)")
    }
}
