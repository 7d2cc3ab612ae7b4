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

extension TokenizerError {
    /// Runs `body`, which reads the JSON value `what` in place: the loader's own errors pass
    /// through, the reader's syntax errors become `fail("WHAT is not valid JSON: ...")`.
    static func readingJSON(_ what: String, fail: (String) -> TokenizerError, _ body: () throws -> Void) throws(TokenizerError) {
        do {
            try body()
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw fail("\(what) is not valid JSON: \(error)")
        }
    }
}
