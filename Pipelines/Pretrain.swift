import ArgumentParser
import Ingot

/// Pre-training data: documents tokenized with EOS after each, packed into full rows of
/// `seq_len` tokens with segment ids marking where each document lies.
public struct Pretrain: PipelineDefinition {
    public static let name = "pretrain"
    public static let abstract = "Tokenize, append EOS, pack documents into seq_len rows (best-fit by default)."

    @Option(help: "Packing strategy: best-fit (a document is split only when longer than a row) or greedy (concatenate and cut).")
    public var pack: Pack.Strategy.Kind = .bestFit

    @Option(help: "Best-fit packing window: documents considered together (and most rows kept open).")
    public var window: Int = 2048

    @Flag(help: "Greedy packing: drop each partition's final partial row instead of padding it.")
    public var dropLast = false

    @Flag(help: "One segment id for all real tokens of a row (plain concatenation, no document boundaries).")
    public var noDocumentBoundaries = false

    public init() {}

    public func validate() throws {
        guard self.window > 0 else { throw ValidationError("--window must be positive") }
    }

    public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField)
        try Tokenize(
            run.tokenizer, appendEOS: true, splitSpecialTokens: run.splitSpecialTokens, addSpecialTokens: run.addSpecialTokens)
        Pack(
            seqLen: run.seqLen, padID: run.padTokenID, strategy: Pack.Strategy(self.pack, window: self.window),
            documentBoundaries: !self.noDocumentBoundaries, dropLastPartialRow: self.dropLast)
        WriteShards(schema: run.schema)
    }
}
