import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Testing

/// The shard bytes of reference runs, pinned before the stage API's second edition: refactoring
/// the runner, the sources or the stages must not change a single byte Ingot writes.
@Suite struct ReferenceDatasetTests {
    /// SHA-256 over every shard file of the output, in name order (`name NUL bytes` each).
    static func digest(ofShardsIn directory: URL) throws -> String {
        var hasher = SHA256()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where name.hasPrefix("part-") {
            hasher.update(Array(name.utf8) + [0])
            hasher.update([UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
        return hasher.finalizeHex()
    }

    static func mixedInputs(in directory: URL) throws -> [String] {
        let texts = try Fixtures.sampleTexts()
        let lines = texts.enumerated().map { Fixtures.jsonLine($0.element, id: $0.offset) }
        let a = try Fixtures.writeLines(Array(lines[0..<150]), to: "a.jsonl", in: directory)
        let b = try Fixtures.writeLines(Array(lines[150..<300]), to: "b.jsonl", in: directory)
        let zst = try Fixtures.compress(a, with: "zstd")
        let gz = try Fixtures.compress(b, with: "gzip")
        try FileManager.default.removeItem(at: a)
        try FileManager.default.removeItem(at: b)
        let text = texts[300...].joined(separator: "\n\n")
        try Fixtures.write(Array(text.utf8), to: "c.txt", in: directory)
        return [zst.path, gz.path, directory.appendingPathComponent("c.txt").path]
    }

    /// (name, digest of the shard files, [documents read, written, tokens, rows, padding, truncated,
    /// split documents, input bytes]), measured before the refactor. Two digests changed since, for
    /// one reason: a shard whose rows fill its last frame no longer ends in an empty zstd frame
    /// (which the Python reader refused); every other byte of those files, and all other files,
    /// are as before.
    static let expected: [String: (digest: String, counts: [Int])] = [
        "pretrain-best-fit": ("9cb9eb42ac561c0aa35e8efea67c4312b4d4b68da6ee794fd7ac4f90691c59a0", [410, 410, 609670, 2392, 2682, 0, 217, 2083261]),
        "pretrain-greedy": ("4ca587d208f7f987234580a647ff5b9bc16e4673b5f04dd9516b0db2c7fbca72", [410, 410, 609670, 2386, 1146, 0, 306, 2083261]),
        "pretrain-greedy-drop-last-no-boundaries": ("2dd316b5ad7e18b308c6269ba544812fbe74a4f04ff52fcd3feae37b20b3e209", [410, 410, 609670, 3044, 0, 870, 313, 2083261]),
        "finetune-left": ("f0fe64f4cc24e5f7f376fad5cb98d26bfd50a592affdb52cd77981abcb4f4888", [410, 410, 609670, 410, 6120, 563310, 0, 2083261]),
        "pretrain-uncompressed": ("793b697cbb19aa7be8912fb1d5e1ceebede05aa0b85f4bb163063b1968d1c6d5", [410, 410, 609670, 1196, 2682, 0, 165, 2083261]),
        "pretrain-mixed-inputs-paragraphs": ("49e31d89d6859e244f27b0230b56f92153cf49de73423ac1578731eafd6b531b", [5462, 5462, 605037, 2367, 915, 0, 212, 981249]),
        "finetune-mixed-inputs-zstd9": ("80762e1cdffa846f544f95974e92782d828d4bb61ae2f0f00c238add1f982a3d", [301, 301, 609778, 301, 764, 591278, 0, 981249]),
        "pretrain-defaults": ("02def1d3a1328698983b4368b09c6b9da61bbf002f0404baf8a3b464691a82fe", [410, 410, 609670, 298, 634, 0, 66, 2083261]),
    ]

    @Test func shardBytesAreUnchanged() async throws {
        let base = try TestPaths.makeTemporaryDirectory("reference")
        defer { try? FileManager.default.removeItem(at: base) }
        let inputs = base.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let mixed = try Self.mixedInputs(in: inputs)
        let sample = [Fixtures.sampleCorpus.path]
        let gpt2 = Fixtures.gpt2
        let paragraphs = ReadOptions(chunkBytes: 64 << 10, textSplitting: .blankLines)
        // The default level when the digests were taken (it is 4 since).
        let level5 = ShardSchema.Compression.zstd(level: 5)
        let cases: [(String, any PipelineDefinition, [String], Int, PipelineEnvironment, ReadOptions)] = [
            ("pretrain-best-fit", try Pretrain.defaults, sample, 300_000, Fixtures.environment(seqLen: 256, rowsPerShard: 200, compression: level5), .init(chunkBytes: 64 << 10)),
            ("pretrain-greedy", try Pretrain.parse(["--pack", "greedy"]), sample, 300_000, Fixtures.environment(seqLen: 256, rowsPerShard: 200, compression: level5), .init(chunkBytes: 64 << 10)),
            ("pretrain-greedy-drop-last-no-boundaries", try Pretrain.parse(["--pack", "greedy", "--drop-last", "--no-document-boundaries"]), sample, 300_000,
             PipelineEnvironment(tokenizer: gpt2, seqLen: 200, compression: level5), .init(chunkBytes: 64 << 10)),
            ("finetune-left", try Finetune.parse(["--truncation-side", "left", "--padding-side", "left"]), sample, 300_000,
             PipelineEnvironment(tokenizer: gpt2, seqLen: 128, compression: level5, rowsPerShard: 96), .init(chunkBytes: 64 << 10)),
            ("pretrain-uncompressed", try Pretrain.parse(["--window", "16"]), sample, 1 << 20,
             PipelineEnvironment(tokenizer: gpt2, seqLen: 512, compression: .none, rowsPerFrame: 8), .init(chunkBytes: 64 << 10)),
            ("pretrain-mixed-inputs-paragraphs", try Pretrain.defaults, mixed, 300_000, PipelineEnvironment(tokenizer: gpt2, seqLen: 256, compression: level5), paragraphs),
            ("finetune-mixed-inputs-zstd9", try Finetune.defaults, mixed, 1 << 30,
             PipelineEnvironment(tokenizer: gpt2, seqLen: 64, compression: .zstd(level: 9)), .init(chunkBytes: 64 << 10)),
            ("pretrain-defaults", try Pretrain.defaults, sample, 32 << 20, Fixtures.environment(seqLen: 2048, compression: level5), .init(chunkBytes: 64 << 10)),
        ]
        for (name, pipeline, inputs, partitionBytes, environment, reading) in cases {
            let out = base.appendingPathComponent(name)
            let runner = PipelineRunner(configuration: .init(inputs: inputs, output: out.path, workers: 2, partitionBytes: partitionBytes, reading: reading))
            let report = try await runner.run(pipeline, environment: environment)
            let s = report.statistics
            let counts = [s.documentsRead, s.documentsWritten, s.tokens, s.rows, s.paddingTokens, s.truncatedTokens, s.splitDocuments, s.inputBytes]
            let expected = try #require(Self.expected[name])
            #expect(try Self.digest(ofShardsIn: out) == expected.digest, "\(name): shard bytes changed")
            #expect(counts == expected.counts, "\(name)")
        }
    }
}
