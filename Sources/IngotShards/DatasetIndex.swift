public import IngotCore

/// `index.json`: the dataset's contract with the trainer. Written last and atomically, so a
/// directory without it is an incomplete dataset. Contains nothing that varies between runs of
/// the same input and pipeline (no timestamps, no worker count): identical runs give identical
/// bytes.
public struct DatasetIndex: Codable, Sendable, Equatable {
    public static let formatName = "ingot-shards"
    public static let currentVersion = 1
    public static let fileName = "index.json"

    public struct Column: Codable, Sendable, Equatable {
        public var dtype: ShardSchema.DType
    }

    public struct Compression: Codable, Sendable, Equatable {
        /// "zstd" (seekable format) or "none".
        public var codec: String
        public var level: Int?
        public var rowsPerFrame: Int

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
        public var bytes: Int

        public init(path: String, bytes: Int) {
            self.path = path
            self.bytes = bytes
        }
    }

    public struct File: Codable, Sendable, Equatable {
        public var file: String
        public var bytes: Int
        public var sha256: String
        /// Number of data frames (zstd only): the seek table lists them.
        public var frames: Int?
    }

    public struct Shard: Codable, Sendable, Equatable {
        public var name: String
        public var partition: Int
        public var rows: Int
        /// Column name -> file.
        public var files: [String: File]
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

    enum CodingKeys: String, CodingKey {
        case format, columns, compression, tokenizer, pipeline, inputs, shards, statistics
        case formatVersion = "format_version"
        case seqLen = "seq_len"
        case vocabularySize = "vocab_size"
        case specialTokens = "special_tokens"
        case totalRows = "total_rows"
    }
}

