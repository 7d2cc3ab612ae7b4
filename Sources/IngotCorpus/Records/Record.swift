public import IngotCore
public import IngotJSON

/// One record of the input (a JSON line, a text document, a table row), as a reading stage sees
/// it: it can extract a field's text without building a tree (the hot path), or give the whole
/// record as a value (conversations, structured data).
///
/// Records are framed, validated and counted by their ``RecordBatch``; extraction failures are
/// thrown as the ``SkipReason`` the reading stage hands to ``StageContext/reject(_:at:)``.
public protocol Record {
    /// Decodes the UTF-8 text at `field` into `text`, replacing its contents.
    func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason)

    /// The whole record as a value (a JSON line's object; a text document's string).
    func value() throws(SkipReason) -> JSONValue
}

/// The records of one chunk, framed by the format that read them.
public protocol RecordBatch: Sendable {
    /// Calls `body` with each record and its location, in input order.
    ///
    /// Counts each record as a document read (whitespace-only lines of line-framed formats are
    /// counted as blank lines instead), rejects through `context` the records whose framing is
    /// broken (invalid UTF-8) without calling `body`, and checks for cancellation between
    /// records.
    func forEachRecord(path: String, context: StageContext, _ body: (any Record, InputLocation) throws -> Void) throws
}

/// Where a field lives in a record: keys separated by dots (`meta.body`); a component that is a
/// decimal number also indexes an array (`messages.0.content`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public let components: [String]
    /// The scanner that finds this path in a JSON line, built once.
    let jsonScanner: JSONLineScanner

    public init(_ dotted: String) {
        self.init(components: dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    public init(components: [String]) {
        precondition(!components.isEmpty, "a field path names at least one key")
        self.components = components
        self.jsonScanner = JSONLineScanner(keyPath: components)
    }

    public var description: String { self.components.joined(separator: ".") }

    public static func == (a: FieldPath, b: FieldPath) -> Bool { a.components == b.components }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.components) }
}
