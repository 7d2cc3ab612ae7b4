/// What a run gives every pipeline to build its stages from: the tokenizer, the row length and
/// the options every pipeline shares. Options of one pipeline are properties of that pipeline.
public struct PipelineEnvironment: Sendable {
    public var tokenizer: Tokenizer
    /// Tokens per row (for padding pipelines, the `max_length`).
    public var seqLen: Int
    /// The JSON key (dotted for nested objects, numbers for array items) holding each document's text.
    public var textField: String
    /// Tokenize special-token strings in the text as plain text (`split_special_tokens=True`).
    public var splitSpecialTokens: Bool
    /// Add what the tokenizer's post-processor adds around each text (`add_special_tokens=True`).
    public var addSpecialTokens: Bool
    /// The id written in padding positions: the tokenizer's pad token, else its EOS token, else 0.
    public var padTokenID: UInt32
    public var compression: ShardSchema.Compression
    /// Rows per shard file; nil for about 2^25 tokens per shard.
    public var rowsPerShard: Int?
    /// Rows per compressed frame (the unit of random access).
    public var rowsPerFrame: Int

    public init(
        tokenizer: Tokenizer,
        seqLen: Int,
        textField: String = "text",
        splitSpecialTokens: Bool = false,
        addSpecialTokens: Bool = false,
        padTokenID: UInt32? = nil,
        compression: ShardSchema.Compression = .zstd(),
        rowsPerShard: Int? = nil,
        rowsPerFrame: Int = 32
    ) {
        self.tokenizer = tokenizer
        self.seqLen = seqLen
        self.textField = textField
        self.splitSpecialTokens = splitSpecialTokens
        self.addSpecialTokens = addSpecialTokens
        self.padTokenID = padTokenID ?? tokenizer.padTokenID ?? tokenizer.eosTokenID ?? 0
        self.compression = compression
        self.rowsPerShard = rowsPerShard
        self.rowsPerFrame = rowsPerFrame
    }

    /// The shard layout the run's options ask for: `seq_len` rows of token ids and segment ids.
    /// A pipeline passes it (or ``ShardSchema/withLossMask(_:)`` of it) to ``WriteShards``; the
    /// dataset's layout is what that stage declares.
    public var schema: ShardSchema {
        ShardSchema(
            seqLen: self.seqLen, vocabularySize: self.tokenizer.vocabularySize, compression: self.compression,
            rowsPerFrame: self.rowsPerFrame, rowsPerShard: self.rowsPerShard)
    }
}
