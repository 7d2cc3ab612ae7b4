import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Testing

/// The `sft` pipeline through the runner: deterministic whatever the workers, and every trained
/// token of every example reaches a row, padded or packed.
@Suite struct SFTTests {
    static let sample = TestPaths.packageRoot.appendingPathComponent("Samples/chat/conversations.jsonl")

    static func run(_ options: [String], output: URL, workers: Int) async throws -> RunReport {
        let runner = PipelineRunner(
            configuration: .init(
                inputs: [Self.sample.path], output: output.path, workers: workers, partitionBytes: 30_000,
                reading: ReadOptions(chunkBytes: 8 << 10)))
        return try await runner.run(try SFT.parse(options), environment: Fixtures.environment(seqLen: 512, rowsPerShard: 64))
    }

    @Test(arguments: [[], ["--pack"], ["--train-on", "last-assistant", "--truncation-side", "left"]])
    func oneAndThreeWorkersWriteIdenticalBytes(_ options: [String]) async throws {
        let base = try TestPaths.makeTemporaryDirectory("sft-determinism")
        defer { try? FileManager.default.removeItem(at: base) }
        let one = try await Self.run(options, output: base.appendingPathComponent("one"), workers: 1)
        _ = try await Self.run(options, output: base.appendingPathComponent("three"), workers: 3)
        #expect(one.partitions >= 4)
        let a = try Fixtures.directoryContents(base.appendingPathComponent("one"))
        let b = try Fixtures.directoryContents(base.appendingPathComponent("three"))
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, bytes) in a { #expect(bytes == b[name], "\(name) differs between 1 and 3 workers") }
    }

    /// The loss mask of the rows holds exactly the tokens counted as trained: none lost to
    /// padding or to splitting examples across packed rows.
    @Test(arguments: [[], ["--pack"]])
    func everyTrainedTokenReachesARow(_ options: [String]) async throws {
        let output = try TestPaths.makeTemporaryDirectory("sft-mask")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = try await Self.run(options, output: output, workers: 2)
        let rows = try DatasetReader(directory: output.path).allRows()
        var trained = 0
        for row in rows {
            let mask = try #require(row.lossMask)
            for (m, segment) in zip(mask, row.segmentIDs) {
                #expect(m == 0 || segment != 0, "padding is never trained on")
                trained += Int(m)
            }
        }
        #expect(trained == report.statistics.counters["trained_tokens"])
        #expect(trained > 10_000)
    }
}
