/// Extracts one string field from a JSON object without building a tree: the JSONL hot path.
///
/// The whole line is still validated (a malformed line is an error wherever the defect is), but
/// only the requested field is decoded. Nested fields are reached by a key path
/// (`["meta", "body"]` for `{"meta": {"body": "..."}}`).
public struct JSONLineScanner: Sendable {
    /// Why a line produced no text.
    public enum Failure: Error, Sendable, Equatable {
        case malformed(JSONError)
        case missingField
        /// The field exists but is not a string; the payload names what it is ("a number").
        case notAString(String)
    }

    public let keyPath: [String]
    private let keyBytes: [[UInt8]]

    public init(keyPath: [String]) {
        precondition(!keyPath.isEmpty, "key path must name at least one key")
        self.keyPath = keyPath
        self.keyBytes = keyPath.map { Array($0.utf8) }
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
            try self.scanObject(&scanner, level: 0, found: &found, output: &output)
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw JSONError(offset: scanner.index, "unexpected trailing characters after the object") }
        } catch {
            throw .malformed(error)
        }
        if let found { throw found }
    }

    /// Scans an object at nesting `level` of the key path. `found` becomes nil once the target
    /// string is decoded (or a type failure if the last match was not a string).
    private func scanObject(
        _ scanner: inout JSONScanner,
        level: Int,
        found: inout Failure?,
        output: inout [UInt8]
    ) throws(JSONError) {
        scanner.skipWhitespace()
        guard scanner.peek() == 0x7B else { throw scanner.unexpected(expected: "'{' (each line must be a JSON object)") }
        scanner.index += 1
        scanner.skipWhitespace()
        if scanner.peek() == 0x7D {
            scanner.index += 1
            return
        }
        let isLast = level == self.keyBytes.count - 1
        while true {
            scanner.skipWhitespace()
            guard scanner.peek() == 0x22 else { throw scanner.unexpected(expected: "a string key") }
            let matches = try scanner.matchString(self.keyBytes[level])
            scanner.skipWhitespace()
            try scanner.expect(0x3A, "':'")
            scanner.skipWhitespace()
            if matches {
                let next = scanner.peek()
                if isLast && next == 0x22 {
                    output.removeAll(keepingCapacity: true)
                    try scanner.parseString(into: &output)
                    found = nil
                } else if !isLast && next == 0x7B {
                    try self.scanObject(&scanner, level: level + 1, found: &found, output: &output)
                } else {
                    let start = scanner.index
                    try scanner.skipValue(depth: level + 1)
                    if isLast {
                        found = .notAString(Self.kind(of: scanner.base[start]))
                    } else {
                        found = .notAString(Self.kind(of: scanner.base[start]) + ", expected an object at '\(self.keyPath[level])'")
                    }
                }
            } else {
                try scanner.skipValue(depth: level + 1)
            }
            scanner.skipWhitespace()
            if scanner.peek() == 0x2C {
                scanner.index += 1
                continue
            }
            try scanner.expect(0x7D, "',' or '}'")
            return
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
