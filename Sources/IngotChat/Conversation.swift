public import IngotJSON

/// One message of a chat: its `role` and the whole JSON object it came as (content, content
/// parts, tool calls, reasoning, names), which the template reads as it likes.
public struct ChatMessage: Sendable, Equatable {
    public let role: String
    public let object: JSONValue

    /// A message from a JSON object with a string `role`; nil for anything else.
    public init?(_ object: JSONValue) {
        guard case .object = object, case .string(let role)? = object["role"] else { return nil }
        self.role = role
        self.object = object
    }

    /// A message from an object already checked to have a string `role`.
    init(unchecked object: JSONValue) {
        guard case .string(let role)? = object["role"] else { preconditionFailure("a message without a string role") }
        self.role = role
        self.object = object
    }

    public init(role: String, content: String) {
        self.role = role
        self.object = .object([("role", .string(role)), ("content", .string(content))])
    }

    public var isAssistant: Bool { self.role == "assistant" }
}

/// A conversation to render: messages in order, and the tool schemas it may call.
public struct Conversation: Sendable, Equatable {
    public var messages: [ChatMessage]
    /// A JSON array of tool schemas, or nil (the template sees `tools` as None).
    public var tools: JSONValue?

    public init(messages: [ChatMessage], tools: JSONValue? = nil) {
        self.messages = messages
        self.tools = tools
    }
}
