import Foundation
public import IngotCore

/// `index.json`: the dataset's contract with the trainer. Written last and atomically, so a
/// directory without it is an incomplete dataset. Contains nothing that varies between runs of
/// the same input and pipeline (no timestamps, no worker count): identical runs give identical
/// bytes.
///
/// The index checks itself: `index_sha256` is the SHA-256 of the file's bytes with that value
/// replaced by 64 zeros, so an edited number, a dropped or reordered shard entry, or swapped
/// column files are refused by every reader instead of being served as wrong rows. Every value a
/// reader relies on is validated (``validate()``).
public struct DatasetIndex: Codable, Sendable, Equatable {
    public static let formatName = "ingot-shards"
    public static let currentVersion = 2
    public static let fileName = "index.json"
    /// The checksum's placeholder while it is computed.
    public static let zeroChecksum = String(repeating: "0", count: 64)

    public struct Column: Codable, Sendable, Equatable {
        public var dtype: ShardSchema.DType

        public init(dtype: ShardSchema.DType) {
            self.dtype = dtype
        }
    }

    public struct Compression: Codable, Sendable, Equatable {
        /// "zstd" (seekable format) or "none".
        public var codec: String
        public var level: Int?
        public var rowsPerFrame: Int

        public init(codec: String, level: Int?, rowsPerFrame: Int) {
            self.codec = codec
            self.level = level
            self.rowsPerFrame = rowsPerFrame
        }

        enum CodingKeys: String, CodingKey {
            case codec, level
            case rowsPerFrame = "rows_per_frame"
        }
    }

    public struct SpecialTokens: Codable, Sendable, Equatable {
        public var bos: UInt32?
        public var eos: UInt32?
        public var pad: UInt32?

        public init(bos: UInt32?, eos: UInt32?, pad: UInt32?) {
            self.bos = bos
            self.eos = eos
            self.pad = pad
        }
    }

    public struct TokenizerInfo: Codable, Sendable, Equatable {
        /// The file name the tokenizer was loaded from (no directory: paths differ between machines).
        public var name: String
        /// SHA-256 of the tokenizer file: two datasets with the same fingerprint share token ids.
        public var sha256: String

        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    public struct PipelineInfo: Codable, Sendable, Equatable {
        public var name: String
        public var options: [String: String]

        public init(name: String, options: [String: String]) {
            self.name = name
            self.options = options
        }
    }

    public struct Input: Codable, Sendable, Equatable {
        public var path: String
        /// The file's size when the run found it.
        public var bytes: Int
        /// Bytes the run read (compressed bytes for compressed files): equal to `bytes`, or the
        /// run would have failed.
        public var bytesRead: Int

        public init(path: String, bytes: Int, bytesRead: Int) {
            self.path = path
            self.bytes = bytes
            self.bytesRead = bytesRead
        }

        enum CodingKeys: String, CodingKey {
            case path, bytes
            case bytesRead = "bytes_read"
        }
    }

    public struct File: Codable, Sendable, Equatable {
        public var file: String
        public var bytes: Int
        public var sha256: String
        /// Number of data frames (zstd only): the seek table lists them.
        public var frames: Int?

        public init(file: String, bytes: Int, sha256: String, frames: Int?) {
            self.file = file
            self.bytes = bytes
            self.sha256 = sha256
            self.frames = frames
        }
    }

    public struct Shard: Codable, Sendable, Equatable {
        public var name: String
        public var partition: Int
        public var rows: Int
        /// Column name -> file.
        public var files: [String: File]

        public init(name: String, partition: Int, rows: Int, files: [String: File]) {
            self.name = name
            self.partition = partition
            self.rows = rows
            self.files = files
        }
    }

    /// Everything the runner knows about a run beyond the shards themselves.
    public struct Provenance: Sendable, Equatable {
        public var vocabularySize: Int
        public var specialTokens: SpecialTokens
        public var tokenizer: TokenizerInfo
        public var pipeline: PipelineInfo
        public var inputs: [Input]

        public init(vocabularySize: Int, specialTokens: SpecialTokens, tokenizer: TokenizerInfo, pipeline: PipelineInfo, inputs: [Input]) {
            self.vocabularySize = vocabularySize
            self.specialTokens = specialTokens
            self.tokenizer = tokenizer
            self.pipeline = pipeline
            self.inputs = inputs
        }
    }

    public var format: String
    public var formatVersion: Int
    public var seqLen: Int
    public var columns: [String: Column]
    public var compression: Compression
    public var vocabularySize: Int
    public var specialTokens: SpecialTokens
    public var tokenizer: TokenizerInfo
    public var pipeline: PipelineInfo
    public var inputs: [Input]
    public var shards: [Shard]
    public var totalRows: Int
    public var statistics: RunStatistics
    /// SHA-256 of the file with this value zeroed (see the type's documentation).
    public var indexSHA256: String

    public init(
        format: String = DatasetIndex.formatName, formatVersion: Int = DatasetIndex.currentVersion, seqLen: Int,
        columns: [String: Column], compression: Compression, vocabularySize: Int, specialTokens: SpecialTokens,
        tokenizer: TokenizerInfo, pipeline: PipelineInfo, inputs: [Input], shards: [Shard], totalRows: Int,
        statistics: RunStatistics, indexSHA256: String = DatasetIndex.zeroChecksum
    ) {
        self.format = format
        self.formatVersion = formatVersion
        self.seqLen = seqLen
        self.columns = columns
        self.compression = compression
        self.vocabularySize = vocabularySize
        self.specialTokens = specialTokens
        self.tokenizer = tokenizer
        self.pipeline = pipeline
        self.inputs = inputs
        self.shards = shards
        self.totalRows = totalRows
        self.statistics = statistics
        self.indexSHA256 = indexSHA256
    }

    enum CodingKeys: String, CodingKey {
        case format, columns, compression, tokenizer, pipeline, inputs, shards, statistics
        case formatVersion = "format_version"
        case seqLen = "seq_len"
        case vocabularySize = "vocab_size"
        case specialTokens = "special_tokens"
        case totalRows = "total_rows"
        case indexSHA256 = "index_sha256"
    }
}

// MARK: - Bytes on disk

extension DatasetIndex {
    /// The index as written: pretty-printed JSON with sorted keys and its own checksum, then a
    /// newline. Sets ``indexSHA256``.
    public mutating func encoded() throws(IngotError) -> [UInt8] {
        self.indexSHA256 = Self.zeroChecksum
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(self)) + [0x0A]
        } catch {
            throw IngotError(.internalInconsistency, "cannot encode the index", cause: error)
        }
        let checksum = SHA256.hex(bytes)
        guard let range = Self.placeholderRange(of: Self.zeroChecksum, in: bytes) else {
            throw IngotError(.internalInconsistency, "the encoded index lacks its checksum field")
        }
        bytes.replaceSubrange(range, with: Array(checksum.utf8))
        self.indexSHA256 = checksum
        return bytes
    }

    /// Parses and checks index bytes: the checksum, then every value readers rely on. `path`
    /// names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(IngotError) -> DatasetIndex {
        let index: DatasetIndex
        do {
            index = try JSONDecoder().decode(DatasetIndex.self, from: Data(bytes))
        } catch {
            // A different format or version reads as "not this format", not as a decoding error.
            if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                object["format"] as? String != Self.formatName || object["format_version"] as? Int != Self.currentVersion
            {
                throw IngotError(
                    .shardFormat,
                    "'\(path)' is \(object["format"] ?? "?") v\(object["format_version"] ?? "?"), expected \(Self.formatName) v\(Self.currentVersion)")
            }
            throw IngotError(.shardFormat, "'\(path)' is not a valid index", cause: error)
        }
        guard index.format == Self.formatName, index.formatVersion == Self.currentVersion else {
            throw IngotError(
                .shardFormat, "'\(path)' is \(index.format) v\(index.formatVersion), expected \(Self.formatName) v\(Self.currentVersion)")
        }
        let checksum = index.indexSHA256
        guard checksum.utf8.count == 64, checksum.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let range = Self.placeholderRange(of: checksum, in: bytes)
        else {
            throw IngotError(.shardFormat, "'\(path)': index_sha256 is missing or malformed")
        }
        var zeroed = bytes
        zeroed.replaceSubrange(range, with: Array(Self.zeroChecksum.utf8))
        guard SHA256.hex(zeroed) == checksum else {
            throw IngotError(.shardFormat, "'\(path)' does not match its own index_sha256: the index was edited or corrupted")
        }
        do {
            try index.validate()
        } catch {
            throw IngotError(.shardFormat, "'\(path)': \(error.message)")
        }
        return index
    }

    /// The bytes of `value` inside the unique `"index_sha256" ... "value"` of the text.
    private static func placeholderRange(of value: String, in bytes: [UInt8]) -> Range<Int>? {
        let key = Array("\"index_sha256\"".utf8)
        let quoted = Array("\"\(value)\"".utf8)
        guard let keyAt = bytes.firstRange(of: key), bytes[keyAt.upperBound...].firstRange(of: key) == nil,
            let valueAt = bytes[keyAt.upperBound...].firstRange(of: quoted)
        else { return nil }
        // Only whitespace and the colon may stand between the key and its value.
        guard bytes[keyAt.upperBound..<valueAt.lowerBound].allSatisfy({ $0 == 0x20 || $0 == 0x3A || $0 == 0x0A || $0 == 0x09 }) else {
            return nil
        }
        return (valueAt.lowerBound + 1)..<(valueAt.upperBound - 1)
    }
}
