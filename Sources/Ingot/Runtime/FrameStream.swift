import IngotCore
import IngotShards
import Synchronization

/// Hands the frames a partition's last stages emit to the writer in order, compressing the raw
/// ones on the other cores while the stages are still running.
///
/// Frames come raw from ``WriteShards``. A best-fit packer's open rows leave in one call at the
/// end of a partition (306 of a 20 MB run's 2,841 rows): collected and then compressed, their
/// packing, compression and writing ran one after another while the other cores waited.
/// Here the stages run in the calling task and emit into a stream; a child task compresses up
/// to `width` frames at once and sends the compressed ones to the writer in order, whenever a
/// frame comes in or a compression ends. With one worker (`width` 1), frames are compressed in
/// the calling task: one worker uses one core.
///
/// Raw frames waiting to be compressed are held up to ``rawBudget`` bytes; past that (a
/// book-sized document makes thousands of frames in one call) the stages' task compresses each
/// frame itself as it comes, so memory stays what it is when the stage compresses.
struct FrameStream: Sendable {
    static let rawBudget = 16 << 20

    let compressor: FrameCompressor
    let width: Int

    /// What the two sides share: the raw bytes emitted and not yet compressed, and whether the
    /// sending side has stopped (the stages then stop at their next frame).
    private final class Shared: Sendable {
        let rawBytes = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
    }

    /// Thrown into the stages when the sending side failed: its error is the one reported.
    private struct SenderStopped: Error {}

    /// Runs `produce` here, sending every frame it emits to `channel` for `partition`, in order;
    /// returns once all of them are sent.
    func send(
        partition: Int,
        to channel: BoundedChannel<PipelineRunner.WriterEvent>,
        _ produce: (_ emit: (consuming ShardFrame) throws -> Void) throws -> Void
    ) async throws {
        guard self.width > 1 else {
            // One worker is one core: compressed here as they come, sent once `produce` is done.
            var frames: [ShardFrame] = []
            try produce { frame in
                var frame = frame
                try self.compressor.compress(&frame)
                frames.append(frame)
            }
            for frame in frames { try await channel.send(.frame(partition: partition, frame), weight: frame.byteCount) }
            return
        }
        let (frames, continuation) = AsyncStream.makeStream(of: ShardFrame.self)
        let shared = Shared()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await self.compressAndSend(frames, partition: partition, to: channel, shared)
                } catch {
                    shared.stopped.store(true, ordering: .releasing)
                    throw error
                }
            }
            do {
                try produce { frame in
                    if shared.stopped.load(ordering: .acquiring) { throw SenderStopped() }
                    var frame = frame
                    if frame.pendingCompressionLevel != nil {
                        if shared.rawBytes.load(ordering: .relaxed) >= Self.rawBudget {
                            try self.compressor.compress(&frame)
                        } else {
                            shared.rawBytes.add(frame.byteCount, ordering: .relaxed)
                        }
                    }
                    continuation.yield(frame)
                }
            } catch is SenderStopped {
                continuation.finish()
                try await group.waitForAll()  // throws the sender's error
                throw IngotError(.internalInconsistency, "the frame sender stopped without an error")
            } catch {
                continuation.finish()
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
            continuation.finish()
            try await group.waitForAll()
        }
    }

    /// Compresses the raw frames of `frames`, `width` at a time, and sends every frame in the
    /// order it came.
    private func compressAndSend(
        _ frames: AsyncStream<ShardFrame>,
        partition: Int,
        to channel: BoundedChannel<PipelineRunner.WriterEvent>,
        _ shared: Shared
    ) async throws {
        try await withThrowingTaskGroup(of: (index: Int, frame: ShardFrame, rawBytes: Int).self) { group in
            var incoming = frames.makeAsyncIterator()
            var received = 0
            var sent = 0
            var compressing = 0
            var ready: [Int: ShardFrame] = [:]
            var streamOpen = true
            while streamOpen || compressing > 0 {
                if streamOpen && compressing < self.width {
                    guard let frame = await incoming.next() else {
                        streamOpen = false
                        continue
                    }
                    let index = received
                    received += 1
                    if frame.pendingCompressionLevel == nil {
                        ready[index] = frame
                    } else {
                        compressing += 1
                        group.addTask {
                            var frame = frame
                            let rawBytes = frame.byteCount
                            try self.compressor.compress(&frame)
                            return (index, frame, rawBytes)
                        }
                    }
                } else if let done = try await group.next() {
                    compressing -= 1
                    shared.rawBytes.subtract(done.rawBytes, ordering: .relaxed)
                    ready[done.index] = done.frame
                }
                while let frame = ready.removeValue(forKey: sent) {
                    try await channel.send(.frame(partition: partition, frame), weight: frame.byteCount)
                    sent += 1
                }
            }
            // A cancelled task's stream ends early: never report its frames as sent.
            try Task.checkCancellation()
        }
    }
}
