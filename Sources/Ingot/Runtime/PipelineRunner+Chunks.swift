import IngotCorpus
import Logging

extension PipelineRunner {
    /// Everything a worker needs, whichever way the run is scheduled.
    struct WorkerEnvironment<P: PipelineDefinition>: Sendable {
        let pipeline: P
        let environment: PipelineEnvironment
        let description: StageDescription
        let configuration: Configuration
        let channel: BoundedChannel<WriterEvent>
        /// Compresses frames before they go to the writer, `workers` at a time.
        let compressor: FrameCompressor
        let workers: Int
        let counters: LiveCounters
        let logger: Logger

        /// The pipeline's stages, built afresh, checked to describe the planned dataset.
        func buildStages(for partition: Int) throws -> P.Body {
            let stages = try self.pipeline.body(self.environment)
            var description = StageDescription()
            stages.describe(&description)
            guard description.describesSameDataset(as: self.description) else {
                throw IngotError(
                    .configuration,
                    "pipeline '\(P.name)' built different stages for partition \(partition): \(description.options) instead of \(self.description.options)")
            }
            return stages
        }

        func frameStream() -> FrameStream {
            FrameStream(compressor: self.compressor, width: self.workers)
        }

        func context(for partition: Int) -> StageContext {
            StageContext(partition: partition, errorPolicy: self.configuration.errorPolicy, logger: self.logger)
        }
    }

    /// Runs `workers` workers over the chunks of `partitions` (see ``ChunkScheduler``): each builds
    /// the stages and runs its own copy of the head of their split, and a partition's tail takes
    /// their outputs in input order. `prototype` only fixes the split's type (an existential
    /// opens into `Split` through a value, not a metatype); its stages are not run.
    static func runChunks<P: PipelineDefinition, Split: StageSplit>(
        split prototype: Split,
        partitions: [CorpusPartition],
        workers: Int,
        _ run: WorkerEnvironment<P>
    ) async throws where Split.Input == CorpusChunk, Split.Output == ShardFrame {
        let scheduler = ChunkScheduler<Split.Head.Output, Split.Tail>(partitions: partitions, reading: run.configuration.reading, workers: workers)

        func split(for partition: Int) throws -> Split {
            guard let split = try run.buildStages(for: partition).splitAtFirstOrderedStage() as? Split else {
                throw IngotError(.configuration, "pipeline '\(P.name)' built stages of another shape for partition \(partition)")
            }
            return split
        }

        /// Runs the tail of partition `position` over every result that is ready for it, finishing
        /// the partition when its last chunk has passed.
        func drain(_ position: Int) async throws {
            let partition = partitions[position].index
            while var work = scheduler.takeTailWork(position: position) {
                let slot = try work.slot ?? .init(tail: split(for: partition).tail, context: run.context(for: partition))
                let rowsBefore = slot.context.statistics.rows
                // Values move out of the results as the tail takes them: a book-sized document's
                // ids must not stay pinned here while the tail copies them into rows.
                var results: [ChunkScheduler<Split.Head.Output, Split.Tail>.HeadResult] = []
                swap(&results, &work.results)
                results.reverse()
                try await run.frameStream().send(partition: partition, to: run.channel) { emit in
                    while var result = results.popLast() {
                        if let failure = result.failure { throw failure }
                        result.values.reverse()
                        while let value = result.values.popLast() {
                            try Self.wrap { try slot.tail.process(value, context: slot.context, emit: emit) }
                        }
                    }
                    if work.completion != nil {
                        try Self.wrap { try slot.tail.finish(context: slot.context, emit: emit) }
                    }
                }
                if let completion = work.completion {
                    var statistics = completion.statistics
                    statistics.merge(slot.context.statistics)
                    try Self.checkPartition(&statistics, partition: partition, run.description)
                    try await run.channel.send(.partitionDone(partition: partition, statistics, bytesRead: completion.bytesRead), weight: 0)
                }
                run.counters.rows.add(slot.context.statistics.rows - rowsBefore, ordering: .relaxed)
                scheduler.release(position: position, slot: slot)
            }
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var head = try split(for: partitions.first?.index ?? 0).head
                    var chunk: CorpusChunk?
                    claiming: while true {
                        switch try scheduler.claim(into: &chunk) {
                        case .done:
                            break claiming
                        case .wait:
                            try await Task.sleep(for: .milliseconds(1))
                        case .exhausted(let position):
                            try await drain(position)
                        case .chunk(let position, let index):
                            try Task.checkCancellation()
                            let context = run.context(for: partitions[position].index)
                            var values: [Split.Head.Output] = []
                            // The chunk moves into the stages: nothing here keeps its bytes alive
                            // while they are tokenized (a book-sized document costs its size once).
                            // A bad input waits for its turn in the tail (see `HeadResult`): an
                            // earlier chunk on another worker may hold an earlier one.
                            var failure: (any Error)?
                            do {
                                try Self.wrap { try head.process(chunk.take()!, context: context) { values.append($0) } }
                            } catch {
                                failure = error
                                values.removeAll()
                            }
                            let statistics = context.statistics
                            run.counters.inputBytes.add(statistics.inputBytes, ordering: .relaxed)
                            run.counters.documents.add(statistics.documentsRead, ordering: .relaxed)
                            run.counters.tokens.add(statistics.tokens, ordering: .relaxed)
                            scheduler.complete(position: position, index: index, .init(values: values, statistics: statistics, failure: failure))
                            try await drain(position)
                            // Give the writer, the progress reporter and the signal watcher a turn.
                            await Task.yield()
                        }
                    }
                    // A head holds nothing at its end (its stages process inputs independently),
                    // but its stages may have something to release.
                    try head.finish(context: run.context(for: -1)) { _ in
                        throw IngotError(.internalInconsistency, "a stage that processes inputs independently emitted a value when it finished")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Completes a partition's statistics with the counters its stages declared, and checks that
    /// every document it read is accounted for.
    static func checkPartition(_ statistics: inout RunStatistics, partition: Int, _ description: StageDescription) throws {
        // Declared counters and reasons are reported even when no document bumped them.
        for key in description.counters { statistics.counters[key, default: 0] += 0 }
        for reason in description.dropReasons { statistics.dropped[reason, default: 0] += 0 }
        try statistics.checkAccounting("partition \(partition)")
    }
}
