import IngotJSON
import IngotJinja

/// Why a record gives no training example: it holds no conversation, the template refuses it,
/// or its replies cannot be located. Reported as `file:line: message`, or counted under `key`
/// when defects are skipped.
public struct ChatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable key for counting: `malformed_conversation`, `template_error`, `not_prefix_stable`, ...
    public let key: String
    public let message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { self.message }

    static func render(_ error: JinjaError) -> ChatError {
        ChatError(key: "template_error", "the chat template failed: \(error)")
    }

    static func missing(_ path: String) -> ChatError {
        ChatError(key: "missing_field", "missing field '\(path)'")
    }

    static func wrongType(_ path: String, _ value: JSONValue, expected: String) -> ChatError {
        ChatError(key: "malformed_conversation", "field '\(path)' is \(value.kindDescription), expected \(expected)")
    }

    static func notAnObject(_ value: JSONValue) -> ChatError {
        ChatError(key: "malformed_conversation", "the record is \(value.kindDescription), expected an object")
    }
}
