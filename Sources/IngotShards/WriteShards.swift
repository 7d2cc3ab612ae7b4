public import IngotCore

/// The last stage of every pipeline: encodes fixed-length ``Row``s into shard frames.
///
/// It accepts only ``Row``, which only padding and packing stages produce, so a pipeline that
/// would write ragged data does not compile. Every row's length is checked again here against
/// the schema.
///
/// Its schema is the dataset's: the runner builds the dataset writer and the index from what
/// this stage describes, so a pipeline that writes a loss mask says so here and nowhere else.
/// Frames leave it raw, marked with the schema's compression: the runner compresses them on
/// every core (``FrameCompressor``), the writer any it has not.
public struct WriteShards: Stage {
    public typealias Input = Row
    public typealias Output = ShardFrame

    public let schema: ShardSchema

    private var pendingRows = 0
    private var shard = 0
    private var rowsInShard = 0
    private var tokenBytes: [UInt8] = []
    private var segmentBytes: [UInt8] = []
    private var lossMaskBytes: [UInt8] = []
    /// The last full frame of a shard that is not full yet: held until the next row (it does not
    /// close the shard) or the end of the partition (it does), so no shard ends in an empty frame.
    private var heldFrame: ShardFrame?

    public init(schema: ShardSchema) {
        self.schema = schema
    }

    /// - Parameters:
    ///   - seqLen: tokens per row.
    ///   - vocabularySize: picks uint16 ids when every id fits, else uint32.
    ///   - compression: `.zstd(level:)` (default) or `.none`.
    public init(seqLen: Int, vocabularySize: Int, lossMask: Bool = false, compression: ShardSchema.Compression = .zstd()) {
        self.init(schema: ShardSchema(seqLen: seqLen, vocabularySize: vocabularySize, hasLossMask: lossMask, compression: compression))
    }

    public mutating func process(
        _ row: consuming Row,
        context: StageContext,
        emit: (consuming ShardFrame) throws -> Void
    ) throws {
        guard row.seqLen == self.schema.seqLen else {
            throw IngotError(.shardFormat, "row of \(row.seqLen) tokens reached a writer for seq_len \(self.schema.seqLen)")
        }
        guard (row.lossMask != nil) == self.schema.hasLossMask else {
            throw IngotError(.shardFormat, self.schema.hasLossMask ? "row lacks the loss mask the schema declares" : "row has a loss mask the schema does not declare")
        }
        if let held = self.heldFrame {
            self.heldFrame = nil
            try emit(held)
        }
        try Self.append(row.tokens, as: self.schema.tokenDType, to: &self.tokenBytes, column: .inputIDs)
        try Self.append(row.segmentIDs, as: self.schema.segmentDType, to: &self.segmentBytes, column: .segmentIDs)
        if let mask = row.lossMask { self.lossMaskBytes.append(contentsOf: mask) }
        self.pendingRows += 1
        self.rowsInShard += 1
        context.statistics.rows += 1
        let padding = row.paddingCount
        context.statistics.paddingTokens += padding
        context.statistics.realTokens += row.seqLen - padding
        if self.rowsInShard == self.schema.rowsPerShard {
            try emit(self.makeFrame(closesShard: true))
        } else if self.pendingRows == self.schema.rowsPerFrame {
            self.heldFrame = try self.makeFrame(closesShard: false)
        }
    }

    public mutating func finish(context: StageContext, emit: (consuming ShardFrame) throws -> Void) throws {
        if var held = self.heldFrame {
            self.heldFrame = nil
            held.closesShard = self.pendingRows == 0
            try emit(held)
        }
        if self.pendingRows > 0 {
            try emit(self.makeFrame(closesShard: true))
        }
    }

    public func describe(_ description: inout StageDescription) {
        description[ShardSchema.self] = self.schema
        description.record("seq_len", self.schema.seqLen)
        description.record("compression", self.schema.compression)
    }

    /// A frame of the pending rows, left raw: ``FrameCompressor`` compresses it (on any core).
    private mutating func makeFrame(closesShard: Bool) throws -> ShardFrame {
        var columns = [Self.take(.inputIDs, &self.tokenBytes), Self.take(.segmentIDs, &self.segmentBytes)]
        if self.schema.hasLossMask { columns.append(Self.take(.lossMask, &self.lossMaskBytes)) }
        let frame = ShardFrame(
            schema: self.schema, shard: self.shard, rows: self.pendingRows, columns: columns, closesShard: closesShard,
            pendingCompressionLevel: self.schema.compression.zstdLevel)
        self.pendingRows = 0
        if closesShard {
            self.shard += 1
            self.rowsInShard = 0
        }
        return frame
    }

    private static func take(_ column: ShardColumn, _ raw: inout [UInt8]) -> ShardFrame.ColumnData {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        swap(&bytes, &raw)
        return ShardFrame.ColumnData(column: column, bytes: bytes, rawByteCount: bytes.count)
    }

    private static func append(_ values: [UInt32], as dtype: ShardSchema.DType, to bytes: inout [UInt8], column: ShardColumn) throws {
        guard !values.isEmpty else { return }
        let limit: UInt32 =
            switch dtype {
            case .uint8: 0xFF
            case .uint16: 0xFFFF
            case .uint32: .max
            }
        // The largest value first, in a loop without branches that the compiler vectorizes (a
        // search for the first value over the limit was a third of this stage's time); then
        // one pass of stores at offsets that cannot overflow, vectorized too.
        if limit != .max, values.withUnsafeBufferPointer({ v in v.reduce(0 as UInt32) { max($0, $1) } }) > limit,
            let bad = values.first(where: { $0 > limit })
        {
            throw overflow(bad, dtype, column)
        }
        let width = limit == 0xFF ? 1 : limit == 0xFFFF ? 2 : 4
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: values.count * width))
        bytes.withUnsafeMutableBytes { raw in
            values.withUnsafeBufferPointer { v in
                let out = raw.baseAddress! + start
                switch width {
                case 1:
                    for i in v.indices { out.storeBytes(of: UInt8(truncatingIfNeeded: v[i]), toByteOffset: i, as: UInt8.self) }
                case 2:
                    for i in v.indices { out.storeBytes(of: UInt16(truncatingIfNeeded: v[i]).littleEndian, toByteOffset: i &* 2, as: UInt16.self) }
                default:
                    for i in v.indices { out.storeBytes(of: v[i].littleEndian, toByteOffset: i &* 4, as: UInt32.self) }
                }
            }
        }
    }

    private static func overflow(_ value: UInt32, _ dtype: ShardSchema.DType, _ column: ShardColumn) -> IngotError {
        IngotError(.shardFormat, "\(column) value \(value) does not fit the dataset's \(dtype.rawValue) column")
    }
}
