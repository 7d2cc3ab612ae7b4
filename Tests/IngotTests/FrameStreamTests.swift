@testable import Ingot
import IngotTestSupport
import Logging
import Testing

/// The runner's hand-off from a partition's last stages to the writer: frames compressed on
/// other tasks while the stages run must still reach the writer complete, compressed and in
/// the order the stages emitted them, and a failure on either side must surface.
@Suite struct FrameStreamTests {
    struct StagesFailed: Error {}
    struct WriterFailed: Error {}

    static let schema = ShardSchema(seqLen: 64, vocabularySize: 50_000, rowsPerFrame: 2)

    /// Rows of random ids, a different number of distinct ids each, so frames take unequal
    /// times to compress and finish out of order.
    static func rows(_ count: Int, seed: UInt64) throws -> [Row] {
        var random = SplitMix64(seed: seed)
        return try (0..<count).map { index in
            let spread = UInt32(1 << (index % 14)) + 1
            let tokens = (0..<64).map { _ in UInt32(random.next() % UInt64(spread)) }
            return try Row(seqLen: 64, tokens: tokens, segmentIDs: Array(repeating: 1, count: 64))
        }
    }

    /// The frames `WriteShards` makes of `rows`, raw.
    static func rawFrames(_ rows: [Row]) throws -> [ShardFrame] {
        var stage = WriteShards(schema: Self.schema)
        let context = Self.context()
        var frames: [ShardFrame] = []
        for row in rows { try stage.process(row, context: context) { frames.append($0) } }
        try stage.finish(context: context) { frames.append($0) }
        return frames
    }

    static func context() -> StageContext {
        StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
    }

    /// Sends `frames` through a stream of `width` while a reader collects what the writer gets.
    static func stream(_ frames: [ShardFrame], width: Int) async throws -> [ShardFrame] {
        let channel = BoundedChannel<PipelineRunner.WriterEvent>(capacity: 1 << 20)
        return try await withThrowingTaskGroup(of: [ShardFrame].self) { group in
            group.addTask {
                var received: [ShardFrame] = []
                while let event = try await channel.next() {
                    guard case .frame(let partition, let frame) = event else { continue }
                    #expect(partition == 7)
                    received.append(frame)
                }
                return received
            }
            try await FrameStream(compressor: FrameCompressor(), width: width).send(partition: 7, to: channel) { emit in
                for frame in frames { try emit(frame) }
            }
            channel.finish()
            return try await group.next()!
        }
    }

    @Test(arguments: [1, 2, 3, 8])
    func framesReachTheWriterCompressedAndInOrder(width: Int) async throws {
        let raw = try Self.rawFrames(try Self.rows(301, seed: 12))
        let expected = try raw.map { frame in
            var frame = frame
            try FrameCompressor().compress(&frame)
            return frame
        }
        let received = try await Self.stream(raw, width: width)
        #expect(received.count == expected.count)
        let wrong = received.indices.prefix(expected.count).filter { index in
            let (got, want) = (received[index], expected[index])
            return got.pendingCompressionLevel != nil || got.shard != want.shard || got.rows != want.rows
                || got.closesShard != want.closesShard || got.columns.map(\.bytes) != want.columns.map(\.bytes)
        }
        #expect(wrong.isEmpty, "frames not as emitted (or not compressed) at \(wrong.prefix(10))")
    }

    @Test(arguments: [1, 2])
    func anErrorOfTheStagesIsReported(width: Int) async throws {
        let raw = try Self.rawFrames(try Self.rows(40, seed: 3))
        let channel = BoundedChannel<PipelineRunner.WriterEvent>(capacity: 1 << 20)
        await #expect(throws: StagesFailed.self) {
            try await FrameStream(compressor: FrameCompressor(), width: width).send(partition: 0, to: channel) { emit in
                for frame in raw.prefix(5) { try emit(frame) }
                throw StagesFailed()
            }
        }
    }

    /// A writer that failed is the error reported, not the stop it sends into the stages. Whether
    /// the stop comes before the stages are done depends on when the sending task gets a thread
    /// (run alone, it comes within the first frames; reporting the stop instead fails then), so
    /// only the error is checked.
    @Test(arguments: [2, 3])
    func aFailedWritersErrorIsReported(width: Int) async throws {
        let raw = try Self.rawFrames(try Self.rows(40, seed: 4))
        let channel = BoundedChannel<PipelineRunner.WriterEvent>(capacity: 1 << 20)
        channel.fail(WriterFailed())
        await #expect(throws: WriterFailed.self) {
            try await FrameStream(compressor: FrameCompressor(), width: width).send(partition: 0, to: channel) { emit in
                for _ in 0..<500 {
                    for frame in raw { try emit(frame) }
                }
            }
        }
    }
}
