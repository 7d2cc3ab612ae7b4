import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Synchronization
import Testing

/// A sink that is much slower than the workers: the bounded channel must hold the producers back
/// instead of buffering everything.
final class SlowSink: ShardSink {
    let writer: DatasetWriter
    let delay: Duration
    var frames = 0
    var bytes = 0

    init(writer: DatasetWriter, delay: Duration) {
        self.writer = writer
        self.delay = delay
    }

    func write(_ frame: ShardFrame, partition: Int) async throws {
        try await Task.sleep(for: self.delay)
        self.frames += 1
        self.bytes += frame.byteCount
        try self.writer.write(frame, partition: partition) as Void
    }

    var completedPartitions: [Int: PartitionRecord] { self.writer.completedPartitions }

    func finishPartition(_ partition: Int, statistics: RunStatistics, bytesRead: [String: Int]) async throws {
        try self.writer.finishPartition(partition, statistics: statistics, bytesRead: bytesRead) as Void
    }

    func finish(partitions: Int, provenance: DatasetIndex.Provenance) async throws -> DatasetIndex {
        try self.writer.finish(partitions: partitions, provenance: provenance) as DatasetIndex
    }
}

@Suite struct BackPressureTests {
    @Test func slowSinkKeepsBufferedBytesBounded() async throws {
        let output = try TestPaths.makeTemporaryDirectory("backpressure")
        defer { try? FileManager.default.removeItem(at: output) }
        let environment = PipelineEnvironment(tokenizer: Fixtures.gpt2, seqLen: 64, rowsPerFrame: 8)
        let bufferBytes = 4096
        let runner = PipelineRunner(
            configuration: .init(
                inputs: [Fixtures.sampleCorpus.path], output: output.path, workers: 2, partitionBytes: 200_000,
                reading: ReadOptions(chunkBytes: 16 << 10), bufferBytes: bufferBytes))
        let sink = SlowSink(
            writer: try DatasetWriter(directory: output.path, schema: environment.schema, identity: Fixtures.identity(environment.schema), mode: .create),
            delay: .milliseconds(1))
        let report = try await runner.run(try Pretrain.defaults, environment: environment, sink: sink)
        // Every frame is at most ~1 KB here, so the buffer can never exceed capacity + 0.
        #expect(report.peakBufferedBytes <= bufferBytes)
        #expect(report.peakBufferedBytes > 0)
        #expect(report.statistics.rows > 1000, "enough frames to overflow the buffer many times")
        let written = try DatasetReader(directory: output.path).index.totalRows
        #expect(written == report.statistics.rows)
    }
}
