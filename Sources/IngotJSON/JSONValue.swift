/// A parsed JSON document, for configuration-sized files (tokenizer.json, index.json).
///
/// Objects keep their members in file order. Corpus lines do not go through this type: see
/// ``JSONLineScanner``, which extracts one field without building a tree.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The member named `key` (the last one, if the key repeats, as Python's `json` does).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .integer(let i): return i
        case .number(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind, for error messages ("a number", "null").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Parses a complete JSON text.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        try Self.parse(bytes, floats: .correctlyRounded)
    }

    /// Parses a complete JSON text held in a raw buffer (a corpus line) without copying it.
    public static func parse(_ raw: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        try Self.parse(raw, floats: .correctlyRounded, deferring: nil).value
    }

    /// How fractional numbers become doubles.
    package enum FloatParsing: Sendable {
        /// The nearest double (IEEE 754 round to nearest).
        case correctlyRounded
        /// As Rust's serde_json reads them by default, which HuggingFace `tokenizers` uses: the
        /// scores in a tokenizer.json mean what that library reads.
        case serdeJSON
    }

    /// ``parse(_:)`` with a choice of float reading, for the tokenizer loaders.
    package static func parse(_ bytes: some Collection<UInt8>, floats: FloatParsing) throws(JSONError) -> JSONValue {
        let array = Array(bytes)
        let result = array.withUnsafeBytes { raw -> Result<JSONValue, JSONError> in
            Result { () throws(JSONError) in try Self.parse(raw, floats: floats, deferring: nil).value }
        }
        return try result.get()
    }

    /// Members that ``parse(_:floats:deferring:)`` leaves out of the tree: `keys` of the object
    /// `parent` (a member of the top-level object), recorded as `parent.key`, and `topLevel`
    /// members of the top-level object, recorded by their key.
    package struct DeferredMembers: Sendable {
        package var parent: String
        package var keys: Set<String>
        package var topLevel: Set<String>

        package init(of parent: String, _ keys: Set<String>, topLevel: Set<String> = []) {
            self.parent = parent
            self.keys = keys
            self.topLevel = topLevel
        }
    }

    /// Parses a complete JSON text, leaving the deferred members out of the tree: they are
    /// validated (syntax, not UTF-8) and their values' byte ranges returned, for a caller that
    /// reads them in place with ``JSONPullReader`` (a tokenizer's 128k-entry vocabulary costs
    /// more as a tree than the work done with it).
    package static func parse(
        _ raw: UnsafeRawBufferPointer, floats: FloatParsing, deferring: DeferredMembers?
    ) throws(JSONError) -> (value: JSONValue, deferred: [String: Range<Int>]) {
        var scanner = JSONScanner(raw)
        scanner.deferredParent = deferring?.parent
        scanner.deferredKeys = deferring?.keys ?? []
        scanner.deferredTopLevelKeys = deferring?.topLevel ?? []
        scanner.serdeFloats = floats == .serdeJSON
        let value = try scanner.parseValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw JSONError(offset: scanner.index, "unexpected trailing characters") }
        return (value, scanner.deferredValues)
    }
}
