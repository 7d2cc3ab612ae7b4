import ArgumentParser
import Ingot

/// Fine-tuning data, one example per row: each document is tokenized, followed by EOS, truncated
/// to `max_length` (`--seq-len`) and padded to exactly that length.
///
/// This is the fix for `expected sequence of length 4096 at dim 1 (got 3999)`: with dynamic
/// padding every batch has its own length; here every row has the same one.
public struct Finetune: PipelineDefinition {
    public static let name = "finetune"
    public static let abstract = "Tokenize, append EOS, truncate and pad every example to max_length (--seq-len)."
    public static let defaultSeqLen = 1024

    @Option(help: "Cut long examples at the right (keep the start) or the left (keep the end).")
    public var truncationSide: Pad.Side = .right

    @Option(help: "Pad short examples at the right or the left.")
    public var paddingSide: Pad.Side = .right

    @Flag(help: "When an example is cut at the right, end it with EOS again (the last kept token is replaced), so it still teaches stopping.")
    public var keepEOS = false

    public init() {}

    public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField)
        try Tokenize(
            run.tokenizer, appendEOS: true, splitSpecialTokens: run.splitSpecialTokens, addSpecialTokens: run.addSpecialTokens)
        Pad(
            maxLength: run.seqLen, padID: run.padTokenID, truncation: self.truncationSide, padding: self.paddingSide,
            keepEOS: self.keepEOS ? run.tokenizer.eosTokenID : nil)
        WriteShards(schema: run.schema)
    }
}
