import IngotShards

/// The frames a partition's last stages emitted since the last hand-off, waiting to be compressed
/// (several at once, on every core: ``FrameCompressor``) and sent to the writer in order.
///
/// Frames come raw from ``WriteShards``. Raw ones are held up to ``rawBudget`` bytes; past that
/// (a book-sized document makes thousands of frames in one call) each is compressed as it comes,
/// so memory stays what it is when the stage compresses.
struct PendingFrames {
    private var frames: [ShardFrame] = []
    private var rawBytes = 0
    static let rawBudget = 16 << 20

    let compressor: FrameCompressor
    let width: Int

    init(compressor: FrameCompressor, width: Int) {
        self.compressor = compressor
        self.width = width
    }

    mutating func append(_ frame: consuming ShardFrame) throws {
        if frame.pendingCompressionLevel != nil {
            if self.rawBytes >= Self.rawBudget {
                try self.compressor.compress(&frame)
            } else {
                self.rawBytes += frame.byteCount
            }
        }
        self.frames.append(frame)
    }

    /// Compresses what is still raw, then hands every frame to the writer, in order.
    mutating func send(partition: Int, to channel: BoundedChannel<PipelineRunner.WriterEvent>) async throws {
        try await self.compressor.compress(&self.frames, width: self.width)
        for frame in self.frames {
            try await channel.send(.frame(partition: partition, frame), weight: frame.byteCount)
        }
        self.frames.removeAll(keepingCapacity: true)
        self.rawBytes = 0
    }
}
