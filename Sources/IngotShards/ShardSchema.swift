public import IngotCore

/// What every row of a dataset looks like on disk: the row length, the columns and their
/// integer widths, and how frames are compressed. Fixed for a whole dataset, and declared by the
/// pipeline's ``WriteShards`` stage.
public struct ShardSchema: Sendable, Equatable, CustomStringConvertible, StageDescriptionKey {
    public typealias Value = ShardSchema
    public static var name: String { "the shard layout" }
    /// An unsigned little-endian integer type for one column.
    public enum DType: String, Sendable, Codable, Equatable {
        case uint8, uint16, uint32

        public var byteWidth: Int {
            switch self {
            case .uint8: 1
            case .uint16: 2
            case .uint32: 4
            }
        }

        /// The narrowest type that holds every value below `bound`.
        public static func fitting(below bound: Int) -> DType {
            bound <= 1 << 8 ? .uint8 : bound <= 1 << 16 ? .uint16 : .uint32
        }
    }

    /// How each column file is stored.
    public struct Compression: Sendable, Equatable, CustomStringConvertible {
        enum Wrapped: Sendable, Equatable {
            case none
            case zstd(level: Int32)
        }
        let wrapped: Wrapped

        /// Raw little-endian arrays (`numpy.memmap` maps them with no copy).
        public static let none = Compression(wrapped: .none)
        /// zstd seekable format: independent, checksummed frames plus a seek table. Level 4 is the
        /// lowest that makes 32-row frames smaller than MosaicML MDS's whole-shard zstd on GPT-2
        /// rows; level 5 saves 1.4% more at 1.7x the compression time (Benchmarks/README.md).
        public static func zstd(level: Int32 = 4) -> Compression { Compression(wrapped: .zstd(level: level)) }

        public var zstdLevel: Int32? {
            if case .zstd(let level) = self.wrapped { return level }
            return nil
        }

        /// The file extension of column files.
        public var fileExtension: String { self.zstdLevel == nil ? "bin" : "zst" }

        public var description: String { self.zstdLevel.map { "zstd(level: \($0))" } ?? "none" }

        /// Parses "none", "zstd" or "zstd:LEVEL".
        public init?(_ text: String) {
            if text == "none" {
                self = .none
            } else if text == "zstd" {
                self = .zstd()
            } else if text.hasPrefix("zstd:"), let level = Int32(text.dropFirst(5)), (1...22).contains(level) {
                self = .zstd(level: level)
            } else {
                return nil
            }
        }

        init(wrapped: Wrapped) {
            self.wrapped = wrapped
        }
    }

    public var seqLen: Int
    public var tokenDType: DType
    public var segmentDType: DType
    public var hasLossMask: Bool
    public var compression: Compression
    /// Rows per zstd frame: the unit of random access.
    public var rowsPerFrame: Int
    /// Rows per shard file (the last shard of a partition may hold fewer).
    public var rowsPerShard: Int

    /// - Parameters:
    ///   - seqLen: tokens per row.
    ///   - vocabularySize: one past the largest token id; picks uint16 or uint32 ids.
    public init(
        seqLen: Int,
        vocabularySize: Int,
        hasLossMask: Bool = false,
        compression: Compression = .zstd(),
        rowsPerFrame: Int = 32,
        rowsPerShard: Int? = nil
    ) {
        precondition(seqLen > 0, "seqLen must be positive")
        precondition(rowsPerFrame > 0, "rowsPerFrame must be positive")
        self.seqLen = seqLen
        self.tokenDType = vocabularySize <= 1 << 16 ? .uint16 : .uint32
        // Segment ids count documents within a row: at most seqLen of them.
        self.segmentDType = seqLen < 1 << 16 ? .uint16 : .uint32
        self.hasLossMask = hasLossMask
        self.compression = compression
        self.rowsPerFrame = rowsPerFrame
        // About 2^25 tokens (64 MiB of uint16 ids) per shard, in whole frames.
        let defaultRows = max(1, (1 << 25) / seqLen / rowsPerFrame) * rowsPerFrame
        self.rowsPerShard = rowsPerShard ?? defaultRows
        precondition(self.rowsPerShard > 0)
    }

    /// `seq_len 2048; input_ids uint16, segment_ids uint16; zstd(level: 4), 32 rows per frame, 512 rows per shard`
    public var description: String {
        let columns = self.columns.map { "\($0) \(self.dtype(of: $0).rawValue)" }.joined(separator: ", ")
        return "seq_len \(self.seqLen); \(columns); \(self.compression), \(self.rowsPerFrame) rows per frame, \(self.rowsPerShard) rows per shard"
    }

    /// This layout with a `loss_mask` column (fine-tuning on part of each example).
    public func withLossMask(_ hasLossMask: Bool = true) -> ShardSchema {
        var schema = self
        schema.hasLossMask = hasLossMask
        return schema
    }

    /// The columns stored, in file order.
    public var columns: [ShardColumn] {
        var columns: [ShardColumn] = [.inputIDs, .segmentIDs]
        if self.hasLossMask { columns.append(.lossMask) }
        return columns
    }

    public func dtype(of column: ShardColumn) -> DType {
        switch column.wrapped {
        case .inputIDs: self.tokenDType
        case .segmentIDs: self.segmentDType
        case .lossMask: .uint8
        }
    }
}

/// One column of a shard, stored in its own file.
public struct ShardColumn: Sendable, Hashable, CustomStringConvertible {
    enum Wrapped: Sendable, Hashable { case inputIDs, segmentIDs, lossMask }
    let wrapped: Wrapped

    public static let inputIDs = ShardColumn(wrapped: .inputIDs)
    public static let segmentIDs = ShardColumn(wrapped: .segmentIDs)
    public static let lossMask = ShardColumn(wrapped: .lossMask)

    /// The name used in file names and in the index: `input_ids`, `segment_ids`, `loss_mask`.
    public var name: String {
        switch self.wrapped {
        case .inputIDs: "input_ids"
        case .segmentIDs: "segment_ids"
        case .lossMask: "loss_mask"
        }
    }

    public var description: String { self.name }

    /// The column with this name, or nil.
    public static func named(_ name: String) -> ShardColumn? {
        [ShardColumn.inputIDs, .segmentIDs, .lossMask].first { $0.name == name }
    }
}
