import Foundation
import IngotJinja
public import IngotTokenizers

/// Which tokens of a conversation a model is trained on.
public enum TrainingTarget: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Every assistant message, with the end-of-turn text the template writes after it (TRL's
    /// `assistant_only_loss`, Unsloth's `train_on_responses_only`).
    case assistant
    /// Only the last assistant message.
    case lastAssistant = "last-assistant"
    /// Every token of the render.
    case all

    public var description: String { self.rawValue }
}

/// A conversation as training data: the token ids of its render and, for each, whether the
/// model is trained on it.
public struct ChatExample: Sendable, Equatable {
    public var ids: [UInt32]
    /// 1 where the token is trained on, 0 elsewhere; as many as `ids`.
    public var mask: [UInt8]

    public init(ids: [UInt32], mask: [UInt8]) {
        precondition(ids.count == mask.count, "a mask for every token")
        self.ids = ids
        self.mask = mask
    }

    /// How many tokens are trained on.
    public var trainedTokens: Int { self.mask.reduce(0) { $0 + Int($1) } }
}

/// Renders conversations with a chat template, tokenizes the render as transformers'
/// `apply_chat_template(tokenize=True)` does (special-token strings in it become their ids, no
/// BOS/EOS added), and masks it for training. One per worker: it holds a tokenizer encoder.
///
/// The assistant mask follows the render, not the template's source: for assistant message k,
/// the trained text runs from the end of `render(messages[:k], add_generation_prompt=True)` to
/// the end of `render(messages[:k+1])`, the reply and what the template closes it with (an
/// end-of-turn token), never the assistant header. Both renders must be prefixes of the whole
/// render, or the template moves text between turns (Mistral v3 puts the system prompt in the
/// last user turn) and no mask can be right: `not_prefix_stable`. A token is trained when its
/// text overlaps trained text.
public struct ChatEncoder {
    public let template: ChatTemplate
    public let target: TrainingTarget
    private var encoder: Tokenizer.Encoder
    /// The template's variables as values, made once for all renders.
    private let variables: [String: JinjaValue]
    /// The template's loop over `messages`, when it renders them one by one: the prefix
    /// renders are then spliced from one render (see ``JinjaTemplate/incrementalLoop(over:excluding:)``).
    private let messageLoop: JinjaTemplate.IncrementalLoop?
    /// What such a template writes before and after the loop, for conversations without tools.
    private var edgesWithoutTools: Edges?

    public init(template: ChatTemplate, tokenizer: Tokenizer, target: TrainingTarget = .assistant) {
        self.init(template: template, tokenizer: tokenizer, target: target, splicesPrefixRenders: true)
    }

    /// With `splicesPrefixRenders` false, every prefix is rendered (the tests compare both ways).
    package init(template: ChatTemplate, tokenizer: Tokenizer, target: TrainingTarget, splicesPrefixRenders: Bool) {
        self.template = template
        self.target = target
        self.encoder = tokenizer.makeEncoder()
        self.encoder.matchesAddedTokens = true
        self.encoder.addsSpecialTokens = false
        self.variables = template.templateVariables
        self.messageLoop = splicesPrefixRenders ? template.template.incrementalLoop(over: "messages", excluding: ["add_generation_prompt"]) : nil
    }

    public var tokenizer: Tokenizer { self.encoder.tokenizer }

    /// Whether the template renders messages one by one, so that a mask costs one render.
    public var rendersMessagesIncrementally: Bool { self.messageLoop != nil }

    /// The example of `conversation`.
    public mutating func encode(_ conversation: Conversation) throws(ChatError) -> ChatExample {
        let (full, spans) = try self.render(conversation)
        var ids: [UInt32] = []
        var text = full
        text.withUTF8 { self.encoder.encode($0, into: &ids) }
        guard let spans else { return ChatExample(ids: ids, mask: Array(repeating: 1, count: ids.count)) }
        guard let offsets = text.withUTF8({ self.tokenizer.offsets(of: ids, in: $0) }) else {
            throw ChatError(
                key: "no_token_offsets",
                "the tokenizer's tokens do not spell the render (its normalizer rewrites text), so no token can be matched to a message")
        }
        // Spans and tokens both run in text order: one pass over each.
        var mask = [UInt8](repeating: 0, count: ids.count)
        var span = 0
        for (i, token) in offsets.enumerated() {
            while span < spans.count && spans[span].upperBound <= token.lowerBound { span += 1 }
            if span < spans.count && spans[span].lowerBound < token.upperBound && token.lowerBound < spans[span].upperBound { mask[i] = 1 }
        }
        return ChatExample(ids: ids, mask: mask)
    }

    /// The render of `conversation` and the UTF-8 byte ranges of it that are trained on (nil
    /// when training on everything).
    package mutating func render(_ conversation: Conversation) throws(ChatError) -> (text: String, trained: [Range<Int>]?) {
        // Made template values once: the mask renders prefixes of the conversation again.
        let messages = conversation.messages.map(\.templateValue)
        let tools = conversation.tools.map(JinjaValue.init(json:)) ?? .none
        let full: String
        var splice: Splice?
        do {
            if self.target != .all, let loop = self.messageLoop {
                let recorded = try self.template.render(
                    values: messages[...], tools: tools, addGenerationPrompt: false, variables: self.variables, recording: loop)
                full = recorded.text
                splice = self.splice(recorded.boundaries, tools: tools, full: full, messages: messages.count)
            } else {
                full = try self.template.render(values: messages[...], tools: tools, addGenerationPrompt: false, variables: self.variables)
            }
        } catch {
            throw .render(error)
        }
        if self.target == .all { return (full, nil) }
        return (full, try self.trainedSpans(of: conversation, values: messages, tools: tools, render: full, splice: splice))
    }

    /// The UTF-8 byte ranges of `render` that are trained on.
    private func trainedSpans(
        of conversation: Conversation, values: [JinjaValue], tools: JinjaValue, render full: String, splice: Splice?
    ) throws(ChatError) -> [Range<Int>] {
        let messages = conversation.messages
        var assistants = messages.indices.filter { messages[$0].isAssistant }
        if self.target == .lastAssistant, let last = assistants.last { assistants = [last] }
        guard !assistants.isEmpty else { throw ChatError(key: "no_assistant", "the conversation has no assistant message to train on") }
        var spans: [Range<Int>] = []
        for k in assistants {
            // The lengths of render(messages[:k], add_generation_prompt=True) and of
            // render(messages[:k+1]), and whether both begin the whole render.
            let before: Int?
            let upTo: Int?
            if let splice {
                before = k == 0 ? 0 : splice.prefixLength(through: k, afterLoop: splice.edges.withPrompt)
                upTo = splice.prefixLength(through: k + 1, afterLoop: splice.edges.withoutPrompt)
            } else {
                do {
                    let beforeText = k == 0 ? "" : try self.template.render(values: values[..<k], tools: tools, addGenerationPrompt: true, variables: self.variables)
                    // Messages up to the last one are the whole conversation, rendered already.
                    let upToText =
                        k + 1 == values.count
                        ? full : try self.template.render(values: values[...k], tools: tools, addGenerationPrompt: false, variables: self.variables)
                    before = PythonText.hasPrefix(full, beforeText) ? beforeText.utf8.count : nil
                    upTo = PythonText.hasPrefix(full, upToText) ? upToText.utf8.count : nil
                } catch {
                    throw .render(error)
                }
            }
            guard let before, let upTo, upTo >= before else {
                throw ChatError(
                    key: "not_prefix_stable",
                    "the chat template does not render message \(k) (assistant) as a prefix of the whole conversation, so its reply cannot be located")
            }
            spans.append(before..<upTo)
        }
        return spans
    }

    // MARK: Prefix renders from one render

    /// What a template that renders messages one by one writes around its loop, with
    /// `add_generation_prompt` false and true.
    private struct Edges {
        let withoutPrompt: (before: [UInt8], after: [UInt8])
        let withPrompt: (before: [UInt8], after: [UInt8])
    }

    /// One render recorded: the prefix renders are its text before the loop, its first
    /// iterations, and the text after the loop.
    private struct Splice {
        let text: [UInt8]
        /// Where each iteration began, then where the loop ended.
        let boundaries: [Int]
        let edges: Edges

        /// The length of `before + iterations ..<k + after` when it begins `text`, else nil.
        func prefixLength(through k: Int, afterLoop edges: (before: [UInt8], after: [UInt8])) -> Int? {
            let loopStart = self.boundaries[0]
            let iterations = self.boundaries[k] - loopStart
            let length = edges.before.count + iterations + edges.after.count
            guard length <= self.text.count else { return nil }
            return self.text.withUnsafeBufferPointer { text -> Int? in
                func matches(_ piece: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
                    piece.isEmpty || memcmp(text.baseAddress! + offset, piece.baseAddress!, piece.count) == 0
                }
                guard edges.before.withUnsafeBufferPointer({ matches($0, at: 0) }) else { return nil }
                if edges.before.count != loopStart {
                    guard matches(UnsafeBufferPointer(rebasing: text[loopStart..<(loopStart + iterations)]), at: edges.before.count) else { return nil }
                }
                guard edges.after.withUnsafeBufferPointer({ matches($0, at: edges.before.count + iterations) }) else { return nil }
                return length
            }
        }
    }

    /// The splice of a recorded render, or nil to render prefixes one by one (a template whose
    /// text around the loop cannot be had, or that the recording contradicts).
    private mutating func splice(_ boundaries: [Int], tools: JinjaValue, full: String, messages: Int) -> Splice? {
        guard boundaries.count == messages + 1 else { return nil }
        let edges: Edges
        if tools.isNone, let cached = self.edgesWithoutTools {
            edges = cached
        } else {
            guard let made = self.edges(tools: tools, loop: self.messageLoop!) else { return nil }
            if tools.isNone { self.edgesWithoutTools = made }
            edges = made
        }
        let text = Array(full.utf8)
        // The whole render is itself its splice: text before the loop, every iteration, text after.
        guard edges.withoutPrompt.before.count == boundaries[0], text.starts(with: edges.withoutPrompt.before),
            text.count - boundaries[messages] == edges.withoutPrompt.after.count, text[boundaries[messages]...].elementsEqual(edges.withoutPrompt.after)
        else { return nil }
        return Splice(text: text, boundaries: boundaries, edges: edges)
    }

    /// The text before and after the loop: the template rendered with no messages.
    private func edges(tools: JinjaValue, loop: JinjaTemplate.IncrementalLoop) -> Edges? {
        func around(_ prompt: Bool) -> (before: [UInt8], after: [UInt8])? {
            guard let empty = try? self.template.render(values: [], tools: tools, addGenerationPrompt: prompt, variables: self.variables, recording: loop),
                empty.boundaries.count == 1
            else { return nil }
            let text = Array(empty.text.utf8)
            return (Array(text[..<empty.boundaries[0]]), Array(text[empty.boundaries[0]...]))
        }
        guard let without = around(false), let with = around(true) else { return nil }
        return Edges(withoutPrompt: without, withPrompt: with)
    }
}
