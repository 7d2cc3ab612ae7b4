/// Extracts one string field from a JSON object without building a tree: the JSONL hot path.
///
/// The whole line is still validated (a malformed line is an error wherever the defect is), but
/// only the requested field is decoded. Nested fields are reached by a key path: `["meta",
/// "body"]` for `{"meta": {"body": "..."}}`; a component that is a decimal number also indexes
/// an array, so `["messages", "0", "content"]` reaches the first message's content.
public struct JSONLineScanner: Sendable {
    /// Why a line produced no text.
    public enum Failure: Error, Sendable, Equatable {
        case malformed(JSONError)
        case missingField
        /// The field exists but is not a string; the payload names what it is ("a number").
        case notAString(String)
        /// A value on the way to the field is neither an object nor an array: `depth` components
        /// of the path reached it, and `kind` names what it is.
        case notAContainer(depth: Int, kind: String)
    }

    public let keyPath: [String]
    private let keyBytes: [[UInt8]]
    /// Per component, the array index it also names (a decimal number), or nil.
    private let indices: [Int?]

    public init(keyPath: [String]) {
        precondition(!keyPath.isEmpty, "key path must name at least one key")
        self.keyPath = keyPath
        self.keyBytes = keyPath.map { Array($0.utf8) }
        self.indices = keyPath.map { component in
            component.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && !component.isEmpty ? Int(component) : nil
        }
    }

    /// Decodes the field's text into `output` (replacing its contents).
    ///
    /// The line must be valid UTF-8 (check with ``UTF8Validation`` first). With duplicate keys
    /// the last one wins, as in Python's `json`.
    public func extract(from line: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
        var scanner = JSONScanner(line)
        var found: Failure? = .missingField
        output.removeAll(keepingCapacity: true)
        do throws(JSONError) {
            scanner.skipWhitespace()
            guard scanner.peek() == 0x7B else { throw scanner.unexpected(expected: "'{' (each line must be a JSON object)") }
            try self.scanContainer(&scanner, level: 0, found: &found, output: &output)
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(offset: scanner.index, "unexpected trailing characters after the object") }
        } catch {
            throw .malformed(error)
        }
        if let found { throw found }
    }

    /// Scans the object or array at the scanner that holds path component `level`. `found`
    /// becomes nil once the target string is decoded (or a type failure if the last match was
    /// not a string).
    private func scanContainer(
        _ scanner: inout JSONScanner,
        level: Int,
        found: inout Failure?,
        output: inout [UInt8]
    ) throws(JSONError) {
        let isObject = scanner.peek() == 0x7B
        let close: UInt8 = isObject ? 0x7D : 0x5D
        scanner.index += 1
        scanner.skipWhitespace()
        if scanner.peek() == close {
            scanner.index += 1
            return
        }
        var position = 0
        while true {
            scanner.skipWhitespace()
            let matches: Bool
            if isObject {
                guard scanner.peek() == 0x22 else { throw scanner.unexpected(expected: "a string key") }
                matches = try scanner.matchString(self.keyBytes[level])
                scanner.skipWhitespace()
                try scanner.expect(0x3A, "':'")
                scanner.skipWhitespace()
            } else {
                matches = self.indices[level] == position
            }
            if matches {
                try self.scanMatch(&scanner, level: level, found: &found, output: &output)
            } else {
                try scanner.skipValue(depth: level + 1)
            }
            position += 1
            scanner.skipWhitespace()
            if scanner.peek() == 0x2C {
                scanner.index += 1
                continue
            }
            try scanner.expect(close, isObject ? "',' or '}'" : "',' or ']'")
            return
        }
    }

    /// The value at the scanner matched path component `level`: decode it (the last
    /// component), descend into it, or record why it cannot be.
    private func scanMatch(
        _ scanner: inout JSONScanner,
        level: Int,
        found: inout Failure?,
        output: inout [UInt8]
    ) throws(JSONError) {
        let next = scanner.peek()
        if level == self.keyBytes.count - 1 {
            if next == 0x22 {
                output.removeAll(keepingCapacity: true)
                try scanner.parseString(into: &output)
                found = nil
            } else {
                let start = scanner.index
                try scanner.skipValue(depth: level + 1)
                found = .notAString(Self.kind(of: scanner.base[start]))
            }
        } else if next == 0x7B || (next == 0x5B && self.indices[level + 1] != nil) {
            found = .missingField
            try self.scanContainer(&scanner, level: level + 1, found: &found, output: &output)
        } else {
            let start = scanner.index
            try scanner.skipValue(depth: level + 1)
            found = .notAContainer(depth: level + 1, kind: Self.kind(of: scanner.base[start]))
        }
    }

    private static func kind(of first: UInt8) -> String {
        switch first {
        case 0x22: "a string"
        case 0x7B: "an object"
        case 0x5B: "an array"
        case 0x74, 0x66: "a boolean"
        case 0x6E: "null"
        default: "a number"
        }
    }
}
