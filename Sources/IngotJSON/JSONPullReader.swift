/// Reads one JSON value in place, container by container, without building a tree.
///
/// For the few values so large that a tree costs more than the work done with it: a
/// tokenizer.json's `vocab` (128k members) and `merges` (280k strings). The caller walks the
/// shape it expects; strings decode into the caller's buffer. The reader is as strict as the
/// tree parser: the whole value must be valid UTF-8 (checked up front) and every byte is checked
/// against the grammar as it is read.
///
/// ```swift
/// var reader = try JSONPullReader(bytes)
/// if try reader.enterObject() {
///     repeat {
///         key.removeAll(keepingCapacity: true)
///         try reader.readKey(into: &key)
///         let id = try reader.readValue().intValue
///     } while try reader.nextMember()
/// }
/// try reader.finish()
/// ```
package struct JSONPullReader {
    /// What the next value is, from its first byte.
    package enum Kind: Sendable {
        case object, array, string, number, literal
    }

    private var scanner: JSONScanner
    private var depth = 0

    /// A reader of the JSON value in `raw`, which must outlive it.
    package init(_ raw: UnsafeRawBufferPointer) throws(JSONError) {
        if let invalid = UTF8Validation.firstInvalidOffset(in: raw) {
            throw JSONError(offset: invalid, "string is not valid UTF-8")
        }
        self.scanner = JSONScanner(raw)
    }

    /// The offset of the next byte to read, for error messages.
    package var offset: Int { self.scanner.index }

    /// The kind of the next value, or nil at the end of the input.
    package mutating func peekKind() -> Kind? {
        self.scanner.skipWhitespace()
        switch self.scanner.peek() {
        case nil: return nil
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x22: return .string
        case 0x74, 0x66, 0x6E: return .literal
        default: return .number
        }
    }

    /// Enters an object; false (and the object consumed) when it is empty.
    package mutating func enterObject() throws(JSONError) -> Bool {
        try self.enter(open: 0x7B, close: 0x7D, "'{'")
    }

    /// Reads a member's key into `output` and the colon after it.
    package mutating func readKey(into output: inout [UInt8]) throws(JSONError) {
        self.scanner.skipWhitespace()
        try self.scanner.parseString(into: &output)
        self.scanner.skipWhitespace()
        try self.scanner.expect(0x3A, "':'")
    }

    /// A member's key and the colon after it, when the key has no escape: its bytes in the input
    /// (valid only while the input is); nil, with nothing consumed, otherwise (``readKey(into:)``).
    package mutating func readUnescapedKey() throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        self.scanner.skipWhitespace()
        guard let key = try self.scanner.parseUnescapedString() else { return nil }
        self.scanner.skipWhitespace()
        try self.scanner.expect(0x3A, "':'")
        return key
    }

    /// After a member's value: true at a comma (another member follows), false at the closing
    /// brace (the object is left).
    package mutating func nextMember() throws(JSONError) -> Bool {
        try self.next(close: 0x7D, "',' or '}'")
    }

    /// Enters an array; false (and the array consumed) when it is empty.
    package mutating func enterArray() throws(JSONError) -> Bool {
        try self.enter(open: 0x5B, close: 0x5D, "'['")
    }

    /// After an element: true at a comma, false at the closing bracket (the array is left).
    package mutating func nextElement() throws(JSONError) -> Bool {
        try self.next(close: 0x5D, "',' or ']'")
    }

    /// Decodes a string value into `output` (appending).
    package mutating func readString(into output: inout [UInt8]) throws(JSONError) {
        self.scanner.skipWhitespace()
        try self.scanner.parseString(into: &output)
    }

    /// A string value's bytes in the input when it has no escape (valid only while the input
    /// is); nil, with nothing consumed, otherwise (``readString(into:)``).
    package mutating func readUnescapedString() throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        self.scanner.skipWhitespace()
        return try self.scanner.parseUnescapedString()
    }

    /// Reads any value as a tree (numbers and literals cost no allocation).
    package mutating func readValue() throws(JSONError) -> JSONValue {
        try self.scanner.parseValue(depth: self.depth)
    }

    /// Skips any value, checking its syntax.
    package mutating func skipValue() throws(JSONError) {
        try self.scanner.skipValue(depth: self.depth)
    }

    /// Checks that nothing but whitespace follows the value.
    package mutating func finish() throws(JSONError) {
        self.scanner.skipWhitespace()
        guard self.scanner.atEnd else { throw JSONError(offset: self.scanner.index, "unexpected trailing characters") }
    }

    private mutating func enter(open: UInt8, close: UInt8, _ what: String) throws(JSONError) -> Bool {
        guard self.depth < JSONScanner.maxDepth else {
            throw JSONError(offset: self.scanner.index, "nesting deeper than \(JSONScanner.maxDepth)")
        }
        self.scanner.skipWhitespace()
        try self.scanner.expect(open, what)
        self.scanner.skipWhitespace()
        if self.scanner.peek() == close {
            self.scanner.index += 1
            return false
        }
        self.depth += 1
        return true
    }

    private mutating func next(close: UInt8, _ what: String) throws(JSONError) -> Bool {
        self.scanner.skipWhitespace()
        if self.scanner.peek() == 0x2C {
            self.scanner.index += 1
            return true
        }
        try self.scanner.expect(close, what)
        self.depth -= 1
        return false
    }
}
