import ArgumentParser
import Ingot

/// Supervised fine-tuning on chat data: each conversation rendered with the model's own chat
/// template (exactly as transformers renders it), tokenized as `apply_chat_template(tokenize=True)`
/// tokenizes it, masked so that only the assistant's replies are trained on, and padded to
/// `max_length` (`--seq-len`) or packed with others into rows.
///
/// The rows carry a `loss_mask` column; readers give `labels` = -100 wherever it is 0, as TRL's
/// `assistant_only_loss` and Unsloth's `train_on_responses_only` do.
public struct SFT: PipelineDefinition {
    public static let name = "sft"
    public static let abstract = "Render chat conversations with the model's chat template, train on the assistant's replies only, pad or pack to seq_len."
    public static let defaultSeqLen = 2048
    public static let sampleInput = "Samples/chat/conversations.jsonl"
    public static let inputFormats = InputFormats([
        JSONLinesFormat(compression: .none), JSONLinesFormat(compression: .zstd), JSONLinesFormat(compression: .gzip), ParquetFormat(),
    ])

    @OptionGroup(title: "Chat template")
    public var chat: ChatTemplateOptions

    @Option(help: "How records hold conversations: auto, messages, sharegpt, alpaca, prompt-completion.")
    public var format: ConversationFormat = .auto

    @Option(help: "What to train on: assistant (every reply), last-assistant, all (every token).")
    public var trainOn: TrainingTarget = .assistant

    @Flag(help: "Pack examples into rows (best-fit; an example is split only when longer than a row) instead of one padded example per row.")
    public var pack = false

    @Option(help: "Cut long examples at the right (keep the start) or the left (keep the end).")
    public var truncationSide: Pad.Side = .right

    @Option(help: "Pad short examples at the right or the left.")
    public var paddingSide: Pad.Side = .right

    @Flag(help: "Drop examples left with no trained token (their replies cut off) instead of writing rows that teach nothing.")
    public var dropUntrained = false

    public init() {}

    public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        let template = try self.chat.load(besideTokenizer: run.tokenizer.path)
        ReadConversations(format: self.format)
        TokenizeChat(
            template: template, tokenizer: run.tokenizer, trainOn: self.trainOn, maxLength: self.pack ? nil : run.seqLen,
            truncation: self.truncationSide, dropUntrained: self.dropUntrained)
        if self.pack {
            Pack(seqLen: run.seqLen, padID: run.padTokenID, strategy: .bestFit())
        } else {
            Pad(maxLength: run.seqLen, padID: run.padTokenID, truncation: self.truncationSide, padding: self.paddingSide)
        }
        WriteShards(schema: run.schema.withLossMask(true))
    }
}
