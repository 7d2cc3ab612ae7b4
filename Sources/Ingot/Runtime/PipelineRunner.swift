import Foundation
public import Logging

/// Runs a pipeline over a corpus with structured concurrency.
///
/// Topology:
///
///     partitions ──► chunks ──► N workers, each with its own copy of the pipeline's leading
///                               stages that process inputs independently (read ► parse ► tokenize)
///                           ──► per partition, the rest in input order (pack ► encode+compress)
///                ──► bounded channel (weighted by frame bytes: back-pressure)
///                ──► one writer task (append, fsync, rename; index.json last)
///
/// Partitions are fixed by the input, and shards are named by partition, so the output bytes do
/// not depend on the number of workers. Workers share the chunks of partitions (see
/// ``ChunkScheduler``), so one large file keeps every core busy; a pipeline whose first stage
/// depends on order gives each worker whole partitions instead. Every child lives in one task
/// group, so the first error cancels the rest and `run` returns only when all are done.
///
/// Before any input is read, the runner builds the pipeline's stages once and asks them to
/// describe themselves (``Stage/describe(_:)``): the shard layout comes from the pipeline's
/// ``WriteShards``, and the options the index records from the stages that use them.
public struct PipelineRunner: Sendable {
    public struct Configuration: Sendable {
        /// Files, directories or glob patterns.
        public var inputs: [String]
        /// Only the inputs of this split, by the HuggingFace Hub's file naming (nil: all).
        public var split: String?
        public var output: String
        public var workers: Int
        public var errorPolicy: ErrorPolicy
        /// Target input bytes per partition (the unit of parallelism and of shard naming).
        public var partitionBytes: Int
        /// How inputs are read (chunk size, `.txt` splitting).
        public var reading: ReadOptions
        /// Most bytes of encoded frames waiting for the writer.
        public var bufferBytes: Int
        /// What to do with a dataset or an interrupted run already in `output`.
        public var mode: DatasetWriter.Mode
        /// This process's share of a run split across machines: it processes only its partitions
        /// and publishes nothing (``DatasetFinalizer`` does, once every task is done). Nil: the
        /// whole run.
        public var task: TaskAssignment?

        public init(
            inputs: [String],
            output: String,
            workers: Int? = nil,
            errorPolicy: ErrorPolicy = .stop,
            partitionBytes: Int = 32 << 20,
            reading: ReadOptions = ReadOptions(),
            bufferBytes: Int = 64 << 20,
            mode: DatasetWriter.Mode = .create,
            task: TaskAssignment? = nil,
            split: String? = nil
        ) {
            self.inputs = inputs
            self.split = split
            self.output = output
            self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
            self.errorPolicy = errorPolicy
            self.partitionBytes = partitionBytes
            self.reading = reading
            self.bufferBytes = bufferBytes
            self.mode = mode
            self.task = task
        }
    }

    public var configuration: Configuration
    public var logger: Logger

    /// - Parameter logger: where the runner logs; by default nowhere (the library never
    ///   bootstraps or prints on its own; the CLI passes its logger).
    public init(configuration: Configuration, logger: Logger = Logger(label: "ingot", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.logger = logger
    }

    /// What a run will do, worked out before any input is read.
    public struct Plan: Sendable {
        public var pipelineName: String
        public var files: [CorpusFile]
        public var partitions: [CorpusPartition]
        /// What the pipeline's stages say about the dataset.
        public var description: StageDescription
        /// The dataset's shard layout, from the pipeline's ``WriteShards``.
        public var schema: ShardSchema
        /// The options the index records: the stages' and the reading options that shaped the output.
        public var recordedOptions: [String: String]
        /// SHA-256 of the tokenizer file, as the tokenizer was loaded from it.
        public var tokenizerSHA256: String
        /// Whether workers share the chunks of a partition: the pipeline's leading stages process
        /// inputs independently (see ``StageSplit``). Otherwise each worker takes whole partitions.
        public var sharesPartitions: Bool

        /// What the index records beyond the shards.
        public func provenance(_ environment: PipelineEnvironment) -> DatasetIndex.Provenance {
            DatasetIndex.Provenance(
                vocabularySize: environment.tokenizer.vocabularySize,
                specialTokens: .init(bos: environment.tokenizer.bosTokenID, eos: environment.tokenizer.eosTokenID, pad: environment.padTokenID),
                tokenizer: .init(name: (environment.tokenizer.path as NSString).lastPathComponent, sha256: self.tokenizerSHA256),
                pipeline: .init(name: self.pipelineName, options: self.recordedOptions),
                inputs: self.files.map { .init(path: $0.path, bytes: $0.size, bytesRead: 0) })
        }

        /// What `--resume` must find unchanged to keep an interrupted run's finished partitions, and
        /// what every task of a split run must agree on.
        public func identity(errorPolicy: ErrorPolicy) -> RunIdentity {
            RunIdentity(
                pipeline: .init(name: self.pipelineName, options: self.recordedOptions),
                layout: self.schema.description,
                tokenizerSHA256: self.tokenizerSHA256,
                errorPolicy: errorPolicy.description,
                inputs: self.files.map { .init(path: $0.path, bytes: $0.size, modified: $0.modificationTime) },
                partitions: self.partitions.map { $0.pieces.map { .init(path: $0.file.path, start: $0.range.lowerBound, end: $0.range.upperBound) } })
        }
    }

    /// Finds the inputs, cuts them into partitions, and builds the pipeline once to learn the
    /// dataset it writes. Throws for a pipeline whose stages contradict each other.
    public func plan<P: PipelineDefinition>(_ pipeline: P, environment: PipelineEnvironment) throws -> Plan {
        let files = try CorpusFile.discover(self.configuration.inputs, formats: P.inputFormats, split: self.configuration.split)
        let partitions = try PartitionPlanner(targetBytes: self.configuration.partitionBytes).plan(files)
        var description = StageDescription()
        let stages = try pipeline.body(environment)
        stages.describe(&description)
        guard description.conflicts.isEmpty else {
            throw IngotError(.configuration, "pipeline '\(P.name)' is inconsistent: \(description.conflicts.joined(separator: "; "))")
        }
        guard let schema = description[ShardSchema.self] else {
            throw IngotError(.configuration, "pipeline '\(P.name)' has no WriteShards stage to say how its rows are stored")
        }
        var options = description.options
        if files.contains(where: { $0.format is PlainTextFormat }) {
            options["text_splitting"] = self.configuration.reading.textSplitting.description
        }
        return Plan(
            pipelineName: P.name, files: files, partitions: partitions, description: description, schema: schema, recordedOptions: options,
            tokenizerSHA256: environment.tokenizer.fileSHA256, sharesPartitions: stages.splitAtFirstOrderedStage() != nil)
    }

    /// Runs `pipeline` and publishes the dataset to `configuration.output`.
    public func run<P: PipelineDefinition>(
        _ pipeline: P,
        environment: PipelineEnvironment,
        progress: (any ProgressReporter)? = nil
    ) async throws -> RunReport {
        let plan = try self.plan(pipeline, environment: environment)
        let identity = plan.identity(errorPolicy: self.configuration.errorPolicy)
        let sink: DatasetWriter
        if let task = self.configuration.task {
            sink = try DatasetWriter(
                directory: self.configuration.output, schema: plan.schema, identity: identity, mode: self.configuration.mode, task: task,
                provenance: plan.provenance(environment))
        } else {
            sink = try DatasetWriter(directory: self.configuration.output, schema: plan.schema, identity: identity, mode: self.configuration.mode)
        }
        return try await self.run(pipeline, environment: environment, plan: plan, sink: sink, progress: progress)
    }

    /// Runs `pipeline`, sending its frames to `sink`.
    public func run<P: PipelineDefinition, Sink: ShardSink>(
        _ pipeline: P,
        environment: PipelineEnvironment,
        sink: sending Sink,
        progress: (any ProgressReporter)? = nil
    ) async throws -> RunReport {
        let plan = try self.plan(pipeline, environment: environment)
        return try await self.run(pipeline, environment: environment, plan: plan, sink: sink, progress: progress)
    }

    enum WriterEvent: Sendable {
        case frame(partition: Int, ShardFrame)
        case partitionDone(partition: Int, RunStatistics, bytesRead: [String: Int])
    }

    private func run<P: PipelineDefinition, Sink: ShardSink>(
        _ pipeline: P,
        environment: PipelineEnvironment,
        plan: Plan,
        sink: sending Sink,
        progress: (any ProgressReporter)?
    ) async throws -> RunReport {
        let clock = ContinuousClock()
        let start = clock.now
        let task = self.configuration.task
        let share = plan.partitions.filter { task?.owns(partition: $0.index) ?? true }
        let completed = sink.completedPartitions.filter { task?.owns(partition: $0.key) ?? true }
        let partitions = share.filter { completed[$0.index] == nil }
        let totalBytes = task == nil ? plan.files.reduce(0) { $0 + $1.size } : share.reduce(0) { $0 + $1.pieces.reduce(0) { $0 + $1.range.count } }
        let workers = plan.sharesPartitions ? self.configuration.workers : min(self.configuration.workers, max(1, partitions.count))
        let logger = {
            var logger = self.logger
            logger[metadataKey: "pipeline.name"] = "\(P.name)"
            return logger
        }()
        logger.info(
            "starting run",
            metadata: [
                "files": "\(plan.files.count)", "bytes": "\(totalBytes)", "partitions": "\(partitions.count)", "workers": "\(workers)",
            ])

        let provenance = plan.provenance(environment)

        let channel = BoundedChannel<WriterEvent>(capacity: self.configuration.bufferBytes)
        let counters = LiveCounters()
        for record in completed.values {
            counters.inputBytes.add(record.statistics.inputBytes, ordering: .relaxed)
            counters.documents.add(record.statistics.documentsRead, ordering: .relaxed)
            counters.tokens.add(record.statistics.tokens, ordering: .relaxed)
            counters.rows.add(record.statistics.rows, ordering: .relaxed)
        }
        let configuration = {
            var configuration = self.configuration
            // Columnar inputs read only the fields the stages say they read.
            if configuration.reading.fields == nil { configuration.reading.fields = plan.description.inputFields }
            return configuration
        }()
        let description = plan.description

        let index: DatasetIndex
        do {
            index = try await withThrowingTaskGroup(of: Void.self) { group in
                // The workers, in their own group so the channel closes when the last one ends. A
                // failure fails the channel, which wakes the writer loop below.
                group.addTask {
                    do {
                        let run = WorkerEnvironment(
                            pipeline: pipeline, environment: environment, description: description, configuration: configuration,
                            channel: channel, compressor: FrameCompressor(), workers: workers, counters: counters, logger: logger)
                        if let split = try pipeline.body(environment).splitAtFirstOrderedStage() {
                            try await Self.runChunks(split: split, partitions: partitions, workers: workers, run)
                        } else {
                            try await withThrowingTaskGroup(of: Void.self) { workersGroup in
                                for _ in 0..<workers {
                                    workersGroup.addTask {
                                        while true {
                                            let claimed = counters.claimPartition()
                                            guard claimed < partitions.count else { return }
                                            try await Self.process(partitions[claimed], run)
                                        }
                                    }
                                }
                                try await workersGroup.waitForAll()
                            }
                        }
                    } catch {
                        counters.recordFailure(error)
                        channel.fail(error)
                        throw error
                    }
                    channel.finish()
                }

                if let progress {
                    group.addTask {
                        while (try? await Task.sleep(for: progress.interval)) != nil {
                            progress.report(
                                ProgressSnapshot(
                                    elapsed: clock.now - start, inputBytes: counters.inputBytes.load(ordering: .relaxed),
                                    totalInputBytes: totalBytes, documents: counters.documents.load(ordering: .relaxed),
                                    tokens: counters.tokens.load(ordering: .relaxed), rows: counters.rows.load(ordering: .relaxed)))
                        }
                    }
                }

                // The writer runs in this task: the only one touching the sink.
                do {
                    try await sink.start()
                    while let event = try await channel.next() {
                        switch event {
                        case .frame(let partition, let frame):
                            try await sink.write(frame, partition: partition)
                        case .partitionDone(let partition, let statistics, let bytesRead):
                            try await sink.finishPartition(partition, statistics: statistics, bytesRead: bytesRead)
                        }
                    }
                    let index = try await sink.finish(partitions: plan.partitions.count, provenance: provenance)
                    group.cancelAll()  // stops the progress task
                    try await group.waitForAll()
                    return index
                } catch {
                    counters.recordFailure(error)
                    channel.fail(error)
                    group.cancelAll()
                    throw error
                }
            }
        } catch {
            let reported = counters.firstFailure ?? error
            if reported is CancellationError {
                throw IngotError(.cancelled, "run cancelled; no index was written, so the output is not a dataset")
            }
            throw reported
        }

        if let progress {
            progress.report(
                ProgressSnapshot(
                    elapsed: clock.now - start, inputBytes: totalBytes, totalInputBytes: totalBytes,
                    documents: index.statistics.documentsRead, tokens: index.statistics.tokens, rows: index.statistics.rows))
        }
        return RunReport(
            index: index, wallTime: clock.now - start, partitions: share.count, resumedPartitions: completed.count,
            workers: workers, peakBufferedBytes: channel.peakWeight, task: task)
    }

    /// Runs one partition through stages built for it, handing frames to the writer after every
    /// chunk, and checks the partition's accounting when it is done: the schedule for pipelines
    /// whose first stage depends on order (see ``runChunks(split:partitions:workers:_:)`` for the
    /// others).
    private static func process<P: PipelineDefinition>(_ partition: CorpusPartition, _ run: WorkerEnvironment<P>) async throws {
        var stage = try run.buildStages(for: partition.index)
        let configuration = run.configuration
        let counters = run.counters
        let channel = run.channel
        let context = run.context(for: partition.index)
        var reader = PartitionReader(partition: partition, options: configuration.reading)
        let frames = run.frameStream()
        var reported = RunStatistics()

        func countProgress() {
            let now = context.statistics
            counters.inputBytes.add(now.inputBytes - reported.inputBytes, ordering: .relaxed)
            counters.documents.add(now.documentsRead - reported.documentsRead, ordering: .relaxed)
            counters.tokens.add(now.tokens - reported.tokens, ordering: .relaxed)
            counters.rows.add(now.rows - reported.rows, ordering: .relaxed)
            reported = now
        }

        // Each chunk moves into the stages (`take()`), so nothing here keeps its bytes alive
        // while they are tokenized: a book-sized document costs its size, not twice.
        var chunk = try reader.next()
        while chunk != nil {
            try Task.checkCancellation()
            try await frames.send(partition: partition.index, to: channel) { emit in
                try Self.wrap { try stage.process(chunk.take()!, context: context, emit: emit) }
            }
            countProgress()
            // The workers keep every core busy with synchronous work: give the writer, the
            // progress reporter and the signal watcher a turn after every chunk, or they wait
            // (and frames pile up, and Ctrl-C goes unheard) until a partition ends.
            await Task.yield()
            chunk = try reader.next()
        }
        try await frames.send(partition: partition.index, to: channel) { emit in
            try Self.wrap { try stage.finish(context: context, emit: emit) }
        }
        countProgress()
        try Self.checkPartition(&context.statistics, partition: partition.index, run.description)
        try await channel.send(.partitionDone(partition: partition.index, context.statistics, bytesRead: reader.bytesRead), weight: 0)
    }

    /// Reports a ragged row (a stage built a ``Row`` of the wrong length) as a shard format error.
    static func wrap(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as Row.LengthError {
            throw IngotError(.shardFormat, error.description)
        }
    }
}
