/// An error a user can act on: what went wrong, where (file and line when the input is at
/// fault), and the underlying cause.
///
/// Open-ended like swift-nio's `FileSystemError`: `code` is a struct over a private enum, so new
/// codes do not break clients that switch over the known ones.
public struct IngotError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Wrapped: Sendable, Hashable {
            case invalidInput, io, compression, shardFormat, configuration, cancelled, internalInconsistency
        }
        let wrapped: Wrapped

        /// The input is malformed: bad JSON, a missing field, invalid UTF-8, a truncated file.
        public static let invalidInput = Code(wrapped: .invalidInput)
        /// Reading or writing a file failed.
        public static let io = Code(wrapped: .io)
        /// A compressed stream could not be encoded or decoded.
        public static let compression = Code(wrapped: .compression)
        /// A shard or dataset index violates the format.
        public static let shardFormat = Code(wrapped: .shardFormat)
        /// The pipeline or its options are inconsistent.
        public static let configuration = Code(wrapped: .configuration)
        /// The run was cancelled (Ctrl-C or a failing sibling).
        public static let cancelled = Code(wrapped: .cancelled)
        /// A bookkeeping invariant failed: a bug in Ingot, reported rather than written.
        public static let internalInconsistency = Code(wrapped: .internalInconsistency)

        public var description: String {
            switch self.wrapped {
            case .invalidInput: "invalid input"
            case .io: "I/O error"
            case .compression: "compression error"
            case .shardFormat: "shard format error"
            case .configuration: "configuration error"
            case .cancelled: "cancelled"
            case .internalInconsistency: "internal inconsistency"
            }
        }
    }

    public var code: Code
    public var message: String
    public var location: InputLocation?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, location: InputLocation? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    /// `file:line: message` when the error has a location, else the message.
    public var description: String {
        var text = self.location.map { "\($0): \(self.message)" } ?? self.message
        if let cause = self.cause {
            text += " (\(cause))"
        }
        return text
    }
}
