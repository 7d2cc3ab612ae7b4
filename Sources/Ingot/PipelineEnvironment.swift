/// What a run gives a pipeline to build its stages from: the tokenizer, the row length and the
/// options of the command line.
public struct PipelineEnvironment: Sendable {
    public var tokenizer: Tokenizer
    /// Tokens per row (for padding pipelines, the `max_length`).
    public var seqLen: Int
    /// The JSON key (dotted for nested objects) holding each document's text.
    public var textField: String
    /// How `.txt` files become documents.
    public var textSplitting: ReadCorpus.TextSplitting
    public var packing: Pack.Strategy
    /// Segment ids per document (true) or one segment for all real tokens of a row (plain
    /// concatenation).
    public var documentBoundaries: Bool
    /// Greedy packing: drop the final partial row of each partition instead of padding it.
    public var dropLastPartialRow: Bool
    /// Which end padding pipelines cut long examples at, and pad short ones at.
    public var truncationSide: Pad.Side
    public var paddingSide: Pad.Side
    public var compression: ShardSchema.Compression
    /// Tokenize special-token strings in the text as plain text.
    public var splitSpecialTokens: Bool
    /// The id written in padding positions: the tokenizer's pad token, else its EOS token, else 0.
    public var padTokenID: UInt32
    /// Rows per shard file; nil for about 2^25 tokens per shard.
    public var rowsPerShard: Int?
    /// Rows per compressed frame (the unit of random access).
    public var rowsPerFrame: Int

    public init(
        tokenizer: Tokenizer,
        seqLen: Int,
        textField: String = "text",
        textSplitting: ReadCorpus.TextSplitting = .wholeFile,
        packing: Pack.Strategy = .bestFit(),
        documentBoundaries: Bool = true,
        dropLastPartialRow: Bool = false,
        truncationSide: Pad.Side = .right,
        paddingSide: Pad.Side = .right,
        compression: ShardSchema.Compression = .zstd(),
        splitSpecialTokens: Bool = false,
        padTokenID: UInt32? = nil,
        rowsPerShard: Int? = nil,
        rowsPerFrame: Int = 32
    ) {
        self.tokenizer = tokenizer
        self.seqLen = seqLen
        self.textField = textField
        self.textSplitting = textSplitting
        self.packing = packing
        self.documentBoundaries = documentBoundaries
        self.dropLastPartialRow = dropLastPartialRow
        self.truncationSide = truncationSide
        self.paddingSide = paddingSide
        self.compression = compression
        self.splitSpecialTokens = splitSpecialTokens
        self.padTokenID = padTokenID ?? tokenizer.padTokenID ?? tokenizer.eosTokenID ?? 0
        self.rowsPerShard = rowsPerShard
        self.rowsPerFrame = rowsPerFrame
    }

    /// The on-disk layout for this run's rows.
    public var schema: ShardSchema {
        ShardSchema(
            seqLen: self.seqLen, vocabularySize: self.tokenizer.vocabularySize, compression: self.compression,
            rowsPerFrame: self.rowsPerFrame, rowsPerShard: self.rowsPerShard)
    }

    /// The options that shaped the output, recorded in the dataset index.
    public var recordedOptions: [String: String] {
        [
            "seq_len": String(self.seqLen),
            "text_field": self.textField,
            "packing": self.packing.description,
            "document_boundaries": String(self.documentBoundaries),
            "drop_last_partial_row": String(self.dropLastPartialRow),
            "truncation_side": self.truncationSide.description,
            "padding_side": self.paddingSide.description,
            "compression": self.compression.description,
            "split_special_tokens": String(self.splitSpecialTokens),
            "pad_token_id": String(self.padTokenID),
        ]
    }
}
