public import Foundation
public import IngotJSON
public import IngotJinja

/// A model's chat template, rendered as transformers' `apply_chat_template(tokenize=False)`
/// renders it: the same Jinja environment (see ``JinjaTemplate``), the same variables
/// (`messages`, `tools`, `documents`, `add_generation_prompt`, the tokenizer's special tokens and
/// any extra ones), and the same preparation of messages (reasoning fields aliased).
///
///     let template = try ChatTemplate(source, variables: ["bos_token": .string("<s>")])
///     let text = try template.render(conversation, addGenerationPrompt: false)
public struct ChatTemplate: Sendable {
    public let source: String
    /// Variables every render gets besides the conversation: `bos_token`, `eos_token` and the
    /// other special tokens of the tokenizer, `date_string`, ...
    public let variables: [String: JSONValue]
    /// The clock `strftime_now` reads.
    public let now: @Sendable () -> Date
    let template: JinjaTemplate

    /// Compiles `source`. `now` is the clock `strftime_now` reads (local time, as Python's
    /// `datetime.now()`); give a fixed one for renders that must not depend on the day.
    public init(
        _ source: String, variables: [String: JSONValue] = [:], limits: JinjaTemplate.Limits = .init(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(JinjaError) {
        self.source = source
        self.variables = variables
        self.now = now
        self.template = try JinjaTemplate(source, limits: limits, now: now)
    }

    /// Whether renders depend on the day (the template calls `strftime_now`).
    public var readsClock: Bool { self.source.contains("strftime_now") }

    /// Whether the template marks assistant text with `{% generation %}` (transformers'
    /// `return_assistant_tokens_mask`).
    public var hasGenerationMarkers: Bool { self.template.hasGenerationBlocks }

    /// The text of `messages` (with `conversation`'s tools), with the assistant header opened at
    /// the end when `addGenerationPrompt`.
    public func render(
        _ messages: ArraySlice<ChatMessage>, tools: JSONValue? = nil, addGenerationPrompt: Bool
    ) throws(JinjaError) -> String {
        try self.render(values: messages.map(\.templateValue)[...], tools: tools.map(JinjaValue.init(json:)) ?? .none, addGenerationPrompt: addGenerationPrompt)
    }

    /// ``render(_:tools:addGenerationPrompt:)`` of messages already made template values, for
    /// callers that render prefixes of one conversation many times.
    func render(
        values messages: ArraySlice<JinjaValue>, tools: JinjaValue, addGenerationPrompt: Bool, variables base: [String: JinjaValue]? = nil
    ) throws(JinjaError) -> String {
        try self.template.render(self.variables(messages, tools: tools, addGenerationPrompt: addGenerationPrompt, base: base))
    }

    /// ``render(values:tools:addGenerationPrompt:variables:)``, recording where each iteration of
    /// `loop` (the loop over `messages`) began and where it ended.
    func render(
        values messages: ArraySlice<JinjaValue>, tools: JinjaValue, addGenerationPrompt: Bool, variables base: [String: JinjaValue]?,
        recording loop: JinjaTemplate.IncrementalLoop
    ) throws(JinjaError) -> (text: String, boundaries: [Int]) {
        try self.template.render(self.variables(messages, tools: tools, addGenerationPrompt: addGenerationPrompt, base: base), recording: loop)
    }

    private func variables(
        _ messages: ArraySlice<JinjaValue>, tools: JinjaValue, addGenerationPrompt: Bool, base: [String: JinjaValue]?
    ) -> [String: JinjaValue] {
        var variables = base ?? self.templateVariables
        variables["messages"] = .list(Array(messages))
        variables["tools"] = tools
        variables["documents"] = JinjaValue.none
        variables["add_generation_prompt"] = .bool(addGenerationPrompt)
        return variables
    }

    /// ``variables`` as template values.
    var templateVariables: [String: JinjaValue] { self.variables.mapValues(JinjaValue.init(json:)) }

    /// The whole conversation.
    public func render(_ conversation: Conversation, addGenerationPrompt: Bool = false) throws(JinjaError) -> String {
        try self.render(conversation.messages[...], tools: conversation.tools, addGenerationPrompt: addGenerationPrompt)
    }
}

extension ChatMessage {
    /// transformers' reasoning aliases: a message with any of `reasoning_content`, `thinking`
    /// or `reasoning` set is seen with all three names' first value under `thinking` and
    /// `reasoning_content` (templates read one or the other).
    var templateValue: JinjaValue {
        let value = JinjaValue(json: self.object)
        guard case .dict(let message) = value else { return value }
        for field in ["reasoning_content", "thinking", "reasoning"] {
            guard let reasoning = message[field], !reasoning.isNone else { continue }
            var aliased = JinjaDict()
            aliased["thinking"] = reasoning
            for (key, item) in zip(message.keys, message.values) { aliased[key] = item }
            aliased["reasoning_content"] = reasoning
            return .dict(aliased)
        }
        return value
    }
}
