import ArgumentParser
import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Synchronization
import Testing

/// The stage API's promises, end to end through the runner: filters that drop and count, a new
/// input format, pipeline options, a layout declared by the pipeline, stages built per partition.
@Suite struct StageAPITests {
    static func run(
        _ pipeline: some PipelineDefinition,
        inputs: [URL],
        output: URL,
        seqLen: Int = 256,
        errorPolicy: ErrorPolicy = .stop
    ) async throws -> RunReport {
        let runner = PipelineRunner(
            configuration: .init(
                inputs: inputs.map(\.path), output: output.path, workers: 2, errorPolicy: errorPolicy, partitionBytes: 300_000,
                reading: ReadOptions(chunkBytes: 64 << 10)))
        return try await runner.run(pipeline, environment: Fixtures.environment(seqLen: seqLen))
    }

    /// The worked filter drops exactly the short documents, counts them by reason in the index,
    /// and every kept document's tokens are in the rows.
    @Test func filterDropsAndCounts() async throws {
        let output = try TestPaths.makeTemporaryDirectory("filter")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = try await Self.run(try FilteredPretrain.parse(["--min-tokens", "600"]), inputs: [Fixtures.sampleCorpus], output: output)
        let none = try await Self.run(
            try FilteredPretrain.parse(["--min-tokens", "2"]), inputs: [Fixtures.sampleCorpus], output: output.appendingPathComponent("none"))
        #expect(none.statistics.dropped == ["shorter_than_min_tokens": 0], "a declared reason is reported even when unused")
        let eos = Fixtures.gpt2.eosTokenID!
        let documents = try Fixtures.sampleTexts().map { Fixtures.gpt2.encode($0) + [eos] }
        let short = documents.filter { $0.count < 600 }
        #expect(!short.isEmpty && short.count < documents.count, "the threshold must split the sample")
        let s = report.statistics
        #expect(s.documentsRead == documents.count)
        #expect(s.dropped == ["shorter_than_min_tokens": short.count])
        #expect(s.documentsWritten == documents.count - short.count)
        #expect(s.counters == ["tokens_in_dropped_documents": short.reduce(0) { $0 + $1.count }])
        #expect(report.index.pipeline.options["min_tokens"] == "600")
        let real = try DatasetReader(directory: output.path).allRows().reduce(0) { $0 + $1.seqLen - $1.paddingCount }
        #expect(real == documents.filter { $0.count >= 600 }.reduce(0) { $0 + $1.count })
        // Reported in the index as written, and by `inspect`.
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("index.json"))) as! [String: Any]
        let statistics = index["statistics"] as! [String: Any]
        #expect(statistics["dropped"] as? [String: Int] == ["shorter_than_min_tokens": short.count])
    }

    /// Without its option the filter is not in the chain: the output is plain pretrain's, byte
    /// for byte, and the index records no `min_tokens`.
    @Test func absentOptionalStageChangesNothing() async throws {
        let base = try TestPaths.makeTemporaryDirectory("optional")
        defer { try? FileManager.default.removeItem(at: base) }
        let filtered = try await Self.run(try FilteredPretrain.defaults, inputs: [Fixtures.sampleCorpus], output: base.appendingPathComponent("a"))
        let plain = try await Self.run(try Pretrain.defaults, inputs: [Fixtures.sampleCorpus], output: base.appendingPathComponent("b"))
        #expect(filtered.index.shards == plain.index.shards)
        #expect(filtered.index.pipeline.options["min_tokens"] == nil)
        #expect(filtered.statistics.dropped.isEmpty && filtered.statistics.counters.isEmpty)
    }

    /// The worked TSV format reuses the line framing: line numbers, UTF-8 validation and
    /// accounting come with it; only the column extraction is its own.
    @Test func newInputFormatReusesTheLineFraming() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("tsv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let texts = try Fixtures.sampleTexts().prefix(40).map { $0.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var lines = texts.enumerated().map { "doc-\($0.offset)\t\($0.element)" }
        lines.insert("only-one-column", at: 5)
        let tsv = try Fixtures.writeLines(lines, to: "corpus.tsv", in: dir)
        var bytes = [UInt8](try Data(contentsOf: tsv))
        bytes += Array("bad\t".utf8) + [0xC3, 0x28] + [0x0A]
        try Data(bytes).write(to: tsv)

        let environment = PipelineEnvironment(tokenizer: Fixtures.gpt2, seqLen: 64, textField: "2")
        let stop = PipelineRunner(configuration: .init(inputs: [tsv.path], output: dir.appendingPathComponent("stop").path, workers: 1))
        await #expect {
            _ = try await stop.run(try FilteredPretrain.defaults, environment: environment)
        } throws: { error in
            "\(error)" == "\(tsv.path):6: missing field '2'"
        }
        let skip = PipelineRunner(
            configuration: .init(inputs: [tsv.path], output: dir.appendingPathComponent("skip").path, workers: 1, errorPolicy: .skip))
        let report = try await skip.run(try FilteredPretrain.defaults, environment: environment)
        #expect(report.statistics.documentsRead == 42)
        #expect(report.statistics.skipped == ["missing_field": 1, "invalid_utf8": 1])
        let eos = Fixtures.gpt2.eosTokenID!
        #expect(report.statistics.tokens == texts.reduce(0) { $0 + Fixtures.gpt2.encode($1).count + 1 })
        #expect(eos > 0)
    }

    /// A stage that writes a loss mask declares it in its writer's layout, and the dataset has
    /// the column: the layout comes from the pipeline, not from the run.
    @Test func pipelineDeclaresALossMaskColumn() async throws {
        let output = try TestPaths.makeTemporaryDirectory("mask")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = try await Self.run(try MaskedPretrain.defaults, inputs: [Fixtures.sampleCorpus], output: output, seqLen: 128)
        #expect(report.index.columns["loss_mask"]?.dtype == .uint8)
        let rows = try DatasetReader(directory: output.path).allRows()
        #expect(rows.count == report.statistics.rows)
        for row in rows {
            let mask = try #require(row.lossMask)
            for (t, (segment, bit)) in zip(row.segmentIDs, mask).enumerated() {
                #expect(bit == (segment == 0 ? 0 : UInt8(row.tokens[t] % 2)), "mask follows MaskOddTokens, 0 on padding")
            }
        }
    }

    /// Stages that disagree are refused before any input is read, naming both values.
    @Test func disagreeingStagesAreRefusedUpFront() async throws {
        let output = try TestPaths.makeTemporaryDirectory("disagree")
        defer { try? FileManager.default.removeItem(at: output) }
        await #expect {
            _ = try await Self.run(try MismatchedPipeline.defaults, inputs: [Fixtures.sampleCorpus], output: output)
        } throws: { error in
            "\(error)".contains("stages disagree on seq_len: 100 and 256")
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("index.json").path))
    }

    /// `body` runs once to plan, once to learn the split of the chain, once per worker (its copy
    /// of the leading stages, which process inputs independently) and once per partition (the
    /// rest): stages may own resources (a class instance here) that no other worker or
    /// partition sees.
    @Test func stagesAreBuiltPerPartition() async throws {
        let output = try TestPaths.makeTemporaryDirectory("per-partition")
        defer { try? FileManager.default.removeItem(at: output) }
        CountingPipeline.builds.store(0, ordering: .relaxed)
        CountingPipeline.finishes.store(0, ordering: .relaxed)
        let report = try await Self.run(try CountingPipeline.defaults, inputs: [Fixtures.sampleCorpus], output: output)
        #expect(report.partitions > 3)
        #expect(CountingPipeline.builds.load(ordering: .relaxed) == 2 + report.workers + report.partitions)
        #expect(CountingPipeline.finishes.load(ordering: .relaxed) == report.partitions)
        #expect(report.statistics.counters["documents_seen_by_own_scratch"] == 410)
    }
}

/// Sets each token's loss mask to its id's parity: a visible, checkable mask.
struct MaskOddTokens: Stage {
    func process(_ document: consuming TokenizedDocument, context: StageContext, emit: (consuming TokenizedDocument) throws -> Void) throws {
        let mask = document.tokens.map { UInt8($0 % 2) }
        try emit(TokenizedDocument(tokens: document.tokens, lossMask: mask, location: document.location))
    }
}

struct MaskedPretrain: PipelineDefinition {
    static let name = "masked-pretrain"
    static let abstract = "test: pretrain with a loss mask"

    func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField)
        try Tokenize(run.tokenizer, appendEOS: true)
        MaskOddTokens()
        Pack(seqLen: run.seqLen, padID: run.padTokenID)
        WriteShards(schema: run.schema.withLossMask())
    }
}

struct MismatchedPipeline: PipelineDefinition {
    static let name = "mismatched"
    static let abstract = "test: packs for one row length, writes another"

    func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField)
        try Tokenize(run.tokenizer, appendEOS: true)
        Pack(seqLen: 100, padID: run.padTokenID)
        WriteShards(schema: run.schema)
    }
}

/// Counts its own builds and flushes; its stage owns a class instance (not Sendable).
struct CountingPipeline: PipelineDefinition {
    static let name = "counting"
    static let abstract = "test: counts how often its stages are built"
    static let builds = Atomic<Int>(0)
    static let finishes = Atomic<Int>(0)

    final class Scratch {
        var documents = 0
    }

    struct CountWithScratch: Stage {
        let scratch = Scratch()

        func process(_ document: consuming Document, context: StageContext, emit: (consuming Document) throws -> Void) throws {
            self.scratch.documents += 1
            try emit(document)
        }

        func finish(context: StageContext, emit: (consuming Document) throws -> Void) throws {
            context.count("documents_seen_by_own_scratch", by: self.scratch.documents)
            CountingPipeline.finishes.add(1, ordering: .relaxed)
        }
    }

    func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        let _ = Self.builds.add(1, ordering: .relaxed)
        ReadCorpus(field: run.textField)
        CountWithScratch()
        try Tokenize(run.tokenizer, appendEOS: true)
        Pack(seqLen: run.seqLen, padID: run.padTokenID)
        WriteShards(schema: run.schema)
    }
}
