public import IngotJSON

/// How a record holds a conversation. Fine-tuning data comes in a few shapes; each becomes the
/// `messages` list a chat template renders.
public enum ConversationFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Whichever of the shapes below the record has, tried in that order.
    case auto
    /// `{"messages": [{"role": "user", "content": ...}, ...], "tools": [...]}`: OpenAI's and
    /// HuggingFace's chat format (TRL's conversational format). Messages go to the template as
    /// they are, with every key (tool calls, content parts, reasoning).
    case messages
    /// `{"conversations": [{"from": "human", "value": ...}, ...]}`: ShareGPT. `from` maps to a
    /// role: `system`; `human`/`user` -> user; `gpt`/`assistant`/`model` -> assistant;
    /// `tool`/`function`/`observation` -> tool; `function_call` -> assistant.
    case sharegpt
    /// `{"instruction": ..., "input": ..., "output": ..., "system": ...}`: Alpaca. The user's
    /// message is the instruction, then a blank line and the input when there is one.
    case alpaca
    /// `{"prompt": ..., "completion": ...}`: TRL's prompt-completion format, either strings (a user
    /// message and an assistant reply) or lists of messages.
    case promptCompletion = "prompt-completion"

    public var description: String { self.rawValue }

    /// The conversation a record (one JSON value) holds.
    public func conversation(from record: JSONValue) throws(ChatError) -> Conversation {
        guard case .object = record else { throw .notAnObject(record) }
        switch self {
        case .auto:
            if record["messages"] != nil { return try Self.messages.conversation(from: record) }
            if record["conversations"] != nil { return try Self.sharegpt.conversation(from: record) }
            if record["instruction"] != nil { return try Self.alpaca.conversation(from: record) }
            if record["prompt"] != nil && record["completion"] != nil { return try Self.promptCompletion.conversation(from: record) }
            throw ChatError(
                key: "unknown_conversation_format",
                "no conversation: the record has none of 'messages', 'conversations', 'instruction', 'prompt' and 'completion'")
        case .messages:
            let messages = try Self.messageList(record, "messages")
            return Conversation(messages: messages, tools: try Self.tools(record))
        case .sharegpt:
            guard let turns = record["conversations"] else { throw .missing("conversations") }
            guard case .array(let items) = turns else { throw .wrongType("conversations", turns, expected: "an array") }
            var messages: [ChatMessage] = []
            for (i, item) in items.enumerated() {
                let path = "conversations.\(i)"
                guard case .object = item else { throw .wrongType(path, item, expected: "an object") }
                guard case .string(let from)? = item["from"] else { throw .wrongType("\(path).from", item["from"] ?? .null, expected: "a string") }
                guard let role = Self.shareGPTRoles[from] else {
                    throw ChatError(key: "unknown_role", "\(path).from is '\(from)', not a ShareGPT role (\(Self.shareGPTRoles.keys.sorted().joined(separator: ", ")))")
                }
                let value = item["value"] ?? .null
                guard case .string = value else { throw .wrongType("\(path).value", value, expected: "a string") }
                messages.append(ChatMessage(unchecked: .object([("role", .string(role)), ("content", value)])))
            }
            return Conversation(messages: messages, tools: try Self.tools(record))
        case .alpaca:
            let instruction = try Self.string(record, "instruction")
            let output = try Self.string(record, "output")
            let input = try Self.optionalString(record, "input")
            let system = try Self.optionalString(record, "system")
            var messages: [ChatMessage] = []
            if let system, !system.isEmpty { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: input.map { $0.isEmpty ? instruction : instruction + "\n\n" + $0 } ?? instruction))
            messages.append(ChatMessage(role: "assistant", content: output))
            return Conversation(messages: messages)
        case .promptCompletion:
            var messages: [ChatMessage] = []
            for (key, role) in [("prompt", "user"), ("completion", "assistant")] {
                switch record[key] {
                case .string(let text)?: messages.append(ChatMessage(role: role, content: text))
                case .array?: messages += try Self.messageList(record, key)
                case nil: throw .missing(key)
                case let other?: throw .wrongType(key, other, expected: "a string or a list of messages")
                }
            }
            return Conversation(messages: messages, tools: try Self.tools(record))
        }
    }

    static let shareGPTRoles = [
        "system": "system", "human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "model": "assistant",
        "tool": "tool", "function": "tool", "observation": "tool", "function_call": "assistant",
    ]

    /// A list of message objects, each with a string `role` and a `content` that is a string, a
    /// list (of content parts) or null.
    /// The top-level record fields this format reads.
    public var recordFields: Set<String> {
        switch self {
        case .auto: Self.messages.recordFields.union(Self.sharegpt.recordFields).union(Self.alpaca.recordFields).union(Self.promptCompletion.recordFields)
        case .messages: ["messages", "tools"]
        case .sharegpt: ["conversations", "system"]
        case .alpaca: ["instruction", "input", "output", "system"]
        case .promptCompletion: ["prompt", "completion"]
        }
    }

    static func messageList(_ record: JSONValue, _ key: String) throws(ChatError) -> [ChatMessage] {
        guard let list = record[key] else { throw .missing(key) }
        guard case .array(let items) = list else { throw .wrongType(key, list, expected: "an array of messages") }
        guard !items.isEmpty else { throw ChatError(key: "empty_conversation", "\(key) is empty") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let path = "\(key).\(i)"
            guard case .object = item else { throw .wrongType(path, item, expected: "a message object") }
            guard case .string = item["role"] else { throw .wrongType("\(path).role", item["role"] ?? .null, expected: "a string") }
            switch item["content"] {
            case .string?, .array?, .null?, nil: break
            case let other?: throw .wrongType("\(path).content", other, expected: "a string, a list of content parts or null")
            }
            messages.append(ChatMessage(unchecked: item))
        }
        return messages
    }

    static func tools(_ record: JSONValue) throws(ChatError) -> JSONValue? {
        switch record["tools"] {
        case nil, .null?: return nil
        case .array(let tools)?: return .array(tools)
        case let other?: throw .wrongType("tools", other, expected: "an array of tool schemas")
        }
    }

    static func string(_ record: JSONValue, _ key: String) throws(ChatError) -> String {
        guard let value = record[key] else { throw .missing(key) }
        guard case .string(let text) = value else { throw .wrongType(key, value, expected: "a string") }
        return text
    }

    static func optionalString(_ record: JSONValue, _ key: String) throws(ChatError) -> String? {
        switch record[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .wrongType(key, other, expected: "a string")
        }
    }
}
