import Foundation

/// Renders each conversation with the model's chat template, tokenizes the render, and masks
/// it for training (``ChatEncoder``): the ids and the loss mask transformers' renderer and
/// tokenizer give, with only the assistant's replies (by default) trained on.
///
/// A conversation the template refuses (`raise_exception`), or whose replies cannot be located
/// in the render, stops the run with `file:line: reason`, or is counted under `--on-error skip`.
/// Counts the examples encoded (`examples`), those longer than the rows and cut
/// (`truncated_examples`), the tokens trained on (`trained_tokens`, within the rows' length when
/// examples are cut to one) and the examples left with none (`untrained_examples`: all their
/// replies cut off), which are dropped with `dropUntrained`.
public struct TokenizeChat: Stage {
    public typealias Input = ConversationDocument
    public typealias Output = TokenizedDocument

    private var encoder: ChatEncoder
    private let maxLength: Int?
    private let truncation: Pad.Side
    private let dropUntrained: Bool

    /// - Parameters:
    ///   - maxLength: the length examples are cut to (the rows' length when padding), for
    ///     counting what remains trained; nil when nothing is cut (packing).
    ///   - truncation: which end of a long example is cut.
    ///   - dropUntrained: drop examples with no trained token left instead of writing rows that
    ///     teach nothing (counted under `no_trained_tokens`).
    public init(
        template: ChatTemplate, tokenizer: Tokenizer, trainOn target: TrainingTarget = .assistant, maxLength: Int? = nil,
        truncation: Pad.Side = .right, dropUntrained: Bool = false
    ) {
        self.encoder = ChatEncoder(template: template, tokenizer: tokenizer, target: target)
        self.maxLength = maxLength
        self.truncation = truncation
        self.dropUntrained = dropUntrained
    }

    /// An example depends on its conversation alone.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("chat_template_sha256", SHA256.hex(Array(self.encoder.template.source.utf8)))
        if self.encoder.template.readsClock {
            // The day `strftime_now` printed: a resume on another day must not mix two dates.
            let day = Calendar.current.dateComponents([.year, .month, .day], from: self.encoder.template.now())
            description.record("chat_template_day", String(format: "%04d-%02d-%02d", day.year ?? 0, day.month ?? 0, day.day ?? 0))
        }
        description.record("train_on", self.encoder.target)
        description.record("drop_untrained", self.dropUntrained)
        description.declareCounter("examples")
        if self.maxLength != nil { description.declareCounter("truncated_examples") }
        description.declareCounter("trained_tokens")
        description.declareCounter("untrained_examples")
        if self.dropUntrained { description.declareDropReason("no_trained_tokens") }
    }

    public mutating func process(
        _ document: consuming ConversationDocument,
        context: StageContext,
        emit: (consuming TokenizedDocument) throws -> Void
    ) throws {
        let location = document.location
        let example: ChatExample
        do {
            example = try self.encoder.encode(document.conversation)
        } catch {
            try context.reject(SkipReason(error), at: location)
            return
        }
        context.count("examples")
        // What of the mask survives the cut to the row length.
        var kept = example.mask[...]
        if let maxLength, kept.count > maxLength {
            context.count("truncated_examples")
            kept = self.truncation == .right ? kept.prefix(maxLength) : kept.suffix(maxLength)
        }
        let trained = kept.reduce(0) { $0 + Int($1) }
        context.count("trained_tokens", by: trained)
        if trained == 0 {
            context.count("untrained_examples")
            if self.dropUntrained {
                context.drop("no_trained_tokens", at: location)
                return
            }
        }
        context.statistics.tokens += example.ids.count
        context.statistics.recordDocumentLength(example.ids.count)
        try emit(TokenizedDocument(tokens: example.ids, lossMask: example.mask, location: location))
    }
}
