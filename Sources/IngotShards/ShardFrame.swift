/// One frame of rows: every column's bytes for the same rows, ready to append to the shard files
/// once compressed. Produced raw by ``WriteShards`` (an order-sensitive stage, so one task at a
/// time), compressed by ``FrameCompressor`` (on several cores: the runner compresses frames
/// while the stages still emit them), consumed by ``DatasetWriter``.
public struct ShardFrame: Sendable {
    /// One column's bytes.
    public struct ColumnData: Sendable {
        public var column: ShardColumn
        /// The bytes to append: a zstd frame, or the raw array when uncompressed (or not yet
        /// compressed: see ``ShardFrame/pendingCompressionLevel``).
        public var bytes: [UInt8]
        /// Size of the raw little-endian array these bytes hold.
        public var rawByteCount: Int
    }

    /// The layout the frame was encoded for; the writer refuses frames of another layout.
    public var schema: ShardSchema
    /// Shard number within the partition (0, 1, ...).
    public var shard: Int
    public var rows: Int
    public var columns: [ColumnData]
    /// Whether this frame completes its shard: the writer then publishes the files.
    public var closesShard: Bool
    /// The zstd level the columns are still to be compressed at; nil once `bytes` are final.
    public var pendingCompressionLevel: Int32?

    /// Bytes held, for back-pressure accounting.
    public var byteCount: Int { self.columns.reduce(0) { $0 + $1.bytes.count } }
}
