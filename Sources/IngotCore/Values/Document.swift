/// One document of the corpus: valid UTF-8 text and where it came from.
public struct Document: Sendable {
    /// The text as UTF-8 bytes (validated by the reader that produced it).
    public var text: [UInt8]
    public var location: InputLocation

    public init(text: [UInt8], location: InputLocation) {
        self.text = text
        self.location = location
    }

    public init(_ text: String, location: InputLocation = InputLocation(path: "<memory>", line: 0)) {
        self.text = Array(text.utf8)
        self.location = location
    }
}
