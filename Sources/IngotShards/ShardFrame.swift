/// One encoded frame of rows: every column's bytes for the same rows, ready to append to the
/// shard files. Produced by ``WriteShards`` on the workers (so compression runs on every core),
/// consumed by ``DatasetWriter``.
public struct ShardFrame: Sendable {
    /// One column's encoded bytes.
    public struct ColumnData: Sendable {
        public var column: ShardColumn
        /// The bytes to append: a zstd frame, or the raw array when uncompressed.
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

    /// Bytes held, for back-pressure accounting.
    public var byteCount: Int { self.columns.reduce(0) { $0 + $1.bytes.count } }
}
