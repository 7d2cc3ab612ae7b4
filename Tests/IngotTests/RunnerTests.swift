import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Testing

@Suite struct RunnerTests {
    static func run(
        _ pipeline: some PipelineDefinition,
        inputs: [URL],
        output: URL,
        workers: Int,
        seqLen: Int = 256,
        partitionBytes: Int = 300_000,
        errorPolicy: ErrorPolicy = .stop,
        rowsPerShard: Int? = 200
    ) async throws -> RunReport {
        let runner = PipelineRunner(
            configuration: .init(
                inputs: inputs.map(\.path), output: output.path, workers: workers, errorPolicy: errorPolicy,
                partitionBytes: partitionBytes, reading: ReadOptions(chunkBytes: 64 << 10)))
        return try await runner.run(pipeline, environment: Fixtures.environment(seqLen: seqLen, rowsPerShard: rowsPerShard))
    }

    /// Output bytes must not depend on the worker count: partitions are fixed by the input, and
    /// shards are named by partition.
    @Test(arguments: ["pretrain", "finetune"])
    func oneAndFourWorkersWriteIdenticalBytes(_ name: String) async throws {
        let pipeline = PipelineRegistry.named(name)!
        let base = try TestPaths.makeTemporaryDirectory("determinism")
        defer { try? FileManager.default.removeItem(at: base) }
        let one = base.appendingPathComponent("one")
        let four = base.appendingPathComponent("four")
        let reportOne = try await Self.runAny(pipeline, output: one, workers: 1)
        let reportFour = try await Self.runAny(pipeline, output: four, workers: 4)
        #expect(reportOne.partitions >= 6, "the sample must span several partitions for this test to mean anything")
        #expect(reportFour.workers == 4)
        #expect(reportOne.index.shards.count >= 3)
        let a = try Fixtures.directoryContents(one)
        let b = try Fixtures.directoryContents(four)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, bytes) in a {
            #expect(bytes == b[name], "\(name) differs between 1 and 4 workers")
        }
    }

    /// One partition keeps every worker busy: its chunks are read, tokenized and padded in
    /// parallel, and packed and written in input order, so the bytes are one worker's.
    @Test(arguments: ["pretrain", "finetune"])
    func workersShareOnePartitionAndWriteOneWorkersBytes(_ name: String) async throws {
        let pipeline = try PipelineRegistry.named(name)!.defaults
        let base = try TestPaths.makeTemporaryDirectory("shared-partition")
        defer { try? FileManager.default.removeItem(at: base) }
        var outputs: [Int: [String: Data]] = [:]
        for workers in [1, 2, 4] {
            let output = base.appendingPathComponent("w\(workers)")
            let report = try await Self.run(pipeline, inputs: [Fixtures.sampleCorpus], output: output, workers: workers, partitionBytes: 1 << 30)
            #expect(report.partitions == 1 && report.workers == workers)
            #expect(report.statistics.documentsRead == 410)
            outputs[workers] = try Fixtures.directoryContents(output)
        }
        for workers in [2, 4] {
            #expect(outputs[workers]!.keys.sorted() == outputs[1]!.keys.sorted())
            for (file, bytes) in outputs[1]! {
                #expect(outputs[workers]![file] == bytes, "\(file) differs between 1 and \(workers) workers")
            }
        }
    }

    static func runAny(_ pipeline: any PipelineDefinition.Type, output: URL, workers: Int) async throws -> RunReport {
        try await self.run(try pipeline.defaults, inputs: [Fixtures.sampleCorpus], output: output, workers: workers)
    }

    /// Every document comes back, token for token, in the packed rows (read through the shard
    /// files), and the accounting adds up.
    @Test(arguments: [["--pack", "greedy"], ["--pack", "best-fit", "--window", "64"]])
    func packedShardsHoldEveryDocumentExactly(_ options: [String]) async throws {
        let output = try TestPaths.makeTemporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = try await Self.run(try Pretrain.parse(options), inputs: [Fixtures.sampleCorpus], output: output, workers: 2)
        let rows = try DatasetReader(directory: output.path).allRows()
        #expect(rows.count == report.statistics.rows)
        let texts = try Fixtures.sampleTexts()
        let eos = Fixtures.gpt2.eosTokenID!
        var expected: [UInt32: Int] = [:]
        var expectedTotal = 0
        for text in texts {
            for id in Fixtures.gpt2.encode(text) + [eos] { expected[id, default: 0] += 1 }
            expectedTotal += Fixtures.gpt2.encode(text).count + 1
        }
        var actual: [UInt32: Int] = [:]
        var real = 0
        for row in rows {
            #expect(row.tokens.count == 256)
            for (token, segment) in zip(row.tokens, row.segmentIDs) where segment != 0 {
                actual[token, default: 0] += 1
                real += 1
            }
        }
        #expect(real == expectedTotal)
        #expect(actual == expected)
        let s = report.statistics
        #expect(s.documentsRead == texts.count && s.documentsWritten == texts.count)
        #expect(s.realTokens == expectedTotal && s.tokens == expectedTotal)
        #expect(s.realTokens + s.paddingTokens == s.rows * 256)
    }

    /// With greedy packing, concatenating the real tokens of all rows of one partition gives the
    /// documents back in order.
    @Test func greedyRowsConcatenateToTheDocuments() async throws {
        let output = try TestPaths.makeTemporaryDirectory("greedy-order")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = try await Self.run(
            try Pretrain.parse(["--pack", "greedy"]), inputs: [Fixtures.sampleCorpus], output: output, workers: 3, partitionBytes: 1 << 30)
        let rows = try DatasetReader(directory: output.path).allRows()
        let stream: [UInt32] = rows.flatMap { row in zip(row.tokens, row.segmentIDs).filter { $0.1 != 0 }.map { $0.0 } }
        let eos = Fixtures.gpt2.eosTokenID!
        let expected: [UInt32] = try Fixtures.sampleTexts().flatMap { Fixtures.gpt2.encode($0) + [eos] }
        #expect(stream == expected)
        #expect(rows.dropLast().allSatisfy { $0.paddingCount == 0 }, "greedy pads only the last row")
    }
}

extension RunnerTests {
    /// Workers sharing one file meet bad lines in several chunks at once: the run reports the
    /// first in input order (line 1, whose chunk is the slowest) and ends.
    @Test func theFirstBadLineInInputOrderStopsASharedFile() async throws {
        let base = try TestPaths.makeTemporaryDirectory("first-error")
        defer { try? FileManager.default.removeItem(at: base) }
        var text = "{\"text\": \"" + String(repeating: "a", count: 2 << 20) + "\n"
        for i in 0..<4000 {
            text += i % 100 == 99 ? "{bad\n" : "{\"text\": \"line \(i)\"}\n"
        }
        let input = base.appendingPathComponent("input.jsonl")
        try Data(text.utf8).write(to: input)

        await #expect {
            _ = try await Self.run(
                try Pretrain.parse([]), inputs: [input], output: base.appendingPathComponent("out"), workers: 4, partitionBytes: 1 << 30)
        } throws: { error in
            "\(error)".contains("input.jsonl:1:")
        }

    }
}
