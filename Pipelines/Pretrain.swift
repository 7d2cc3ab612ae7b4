import Ingot

/// Pre-training data: every document is tokenized, followed by EOS, and packed into full rows of
/// `seq_len` tokens. Best-fit packing by default (`--pack greedy` for plain concatenation); segment
/// ids mark the documents in each row.
public struct Pretrain: PipelineDefinition {
    public static let name = "pretrain"
    public static let abstract = "Tokenize, append EOS, pack documents into seq_len rows (best-fit by default)."

    public init() {}

    public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField, text: run.textSplitting)
        try Tokenize(run.tokenizer, appendEOS: true, splitSpecialTokens: run.splitSpecialTokens)
        Pack(
            seqLen: run.seqLen, padID: run.padTokenID, strategy: run.packing,
            documentBoundaries: run.documentBoundaries, dropLastPartialRow: run.dropLastPartialRow)
        WriteShards(schema: run.schema)
    }
}
