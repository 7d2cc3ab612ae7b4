/// A failure of a compression codec, with the library's own message.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The stream ended in the middle of a frame or member.
        case truncated
        /// The data is not a valid stream, or a checksum does not match.
        case corrupt
        /// The codec could not allocate its state or rejected a parameter.
        case codec
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { self.message }
}
