/// Why a tokenizer file could not be loaded. An unsupported component is named, never ignored:
/// silently skipping one would produce ids that differ from the reference.
public struct TokenizerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(self.path): \(self.message)" }
}
