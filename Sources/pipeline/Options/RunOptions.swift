public import ArgumentParser
import Ingot
public import Logging

/// The options every `pipeline run NAME` shares: output, parallelism, error handling, layout.
struct RunOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output directory (default: shards/NAME).")
    var output: String?

    @Option(help: "Tokens per row (for padding pipelines, the max_length). Default: the pipeline's.")
    var seqLen: Int?

    @Option(help: "Token id for padding (default: the tokenizer's pad token, else its EOS token).")
    var padID: UInt32?

    @Option(help: "Parallel workers (default: every core).")
    var workers: Int?

    @Option(help: "What to do with bad input: stop (with file:line: reason) or skip (counted by reason).")
    var onError: ErrorPolicy = .stop

    @Option(help: "Shard compression: zstd, zstd:LEVEL (1-22) or none.")
    var compression: ShardSchema.Compression = .zstd()

    @Option(help: "Target input bytes per partition, in MiB. Partitions are fixed by the input, never by --workers.")
    var partitionMB: Int = 32

    @Option(help: "Rows per shard file (default: about 2^25 tokens' worth, in whole frames).")
    var rowsPerShard: Int?

    @Option(help: "Rows per zstd frame: the unit a reader decompresses for random access.")
    var rowsPerFrame: Int = 32

    @Flag(help: "Replace a dataset already in the output directory (it stays intact until the new one is complete); discard an interrupted run there.")
    var overwrite = false

    @Flag(help: "Continue the interrupted run in the output directory, keeping its finished partitions (same pipeline, options and inputs).")
    var resume = false

    @Option(help: "Run only this task's share of the partitions (0-based, with --task-count) and publish nothing: `pipeline finalize OUTPUT` does once every task is done.")
    var taskIndex: Int?

    @Option(help: "How many tasks the run is split into (with --task-index): partition p is task p % count's.")
    var taskCount: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        if let seqLen = self.seqLen, seqLen <= 0 { throw ValidationError("--seq-len must be positive") }
        if let workers = self.workers, workers <= 0 { throw ValidationError("--workers must be positive") }
        guard self.partitionMB > 0 else { throw ValidationError("--partition-mb must be positive") }
        guard self.rowsPerFrame > 0 else { throw ValidationError("--rows-per-frame must be positive") }
        if let rows = self.rowsPerShard, rows <= 0 { throw ValidationError("--rows-per-shard must be positive") }
        guard !(self.overwrite && self.resume) else { throw ValidationError("--overwrite and --resume exclude each other") }
        switch (self.taskIndex, self.taskCount) {
        case (nil, nil): break
        case (let index?, let count?):
            guard self.output != nil else { throw ValidationError("a task needs --output: the directory every task of the run shares") }
            guard count > 0 else { throw ValidationError("--task-count must be positive") }
            guard (0..<count).contains(index) else { throw ValidationError("--task-index \(index) is not in 0..<\(count)") }
            guard !self.resume else {
                throw ValidationError("a task always keeps its finished partitions: run it again without --resume")
            }
        default:
            throw ValidationError("--task-index and --task-count go together")
        }
    }

    /// This run's share of a split run, if it is one.
    var task: TaskAssignment? {
        guard let index = self.taskIndex, let count = self.taskCount else { return nil }
        return TaskAssignment(index: index, count: count)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
