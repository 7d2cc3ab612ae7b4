/// A JSON syntax or type error at a byte offset of the parsed text.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(self.message) at byte \(self.offset)" }
}
