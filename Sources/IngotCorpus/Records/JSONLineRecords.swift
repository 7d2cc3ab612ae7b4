public import IngotCore
import IngotJSON
import IngotSystem

/// Complete JSON lines: one record per non-blank line, each a JSON object.
///
/// Every line is validated as UTF-8 before its record is handed out; JSON syntax is validated by
/// the extraction (the whole line, wherever the defect is).
public struct JSONLineRecords: RecordBatch {
    public var bytes: [UInt8]
    /// 1-based line number of the first line in `bytes`.
    public var firstLine: Int

    public init(bytes: [UInt8], firstLine: Int = 1) {
        self.bytes = bytes
        self.firstLine = firstLine
    }

    public func forEachRecord(path: String, context: StageContext, _ body: (any Record, InputLocation) throws -> Void) throws {
        var line = self.firstLine
        try self.bytes.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = ByteSearch.firstIndex(of: 0x0A, in: raw, from: start) ?? raw.count
                defer {
                    start = end + 1
                    line += 1
                }
                let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                if isBlank(bytes) {
                    context.statistics.blankLines += 1
                    continue
                }
                try context.checkCancellation()
                context.statistics.documentsRead += 1
                let location = InputLocation(path: path, line: line)
                if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
                    try context.reject(.invalidUTF8("at byte \(bad + 1) of the line"), at: location)
                    continue
                }
                try body(JSONLineRecord(line: bytes), location)
            }
        }
    }
}

/// One JSON line, valid UTF-8, borrowed from its chunk for the duration of the call.
struct JSONLineRecord: Record {
    let line: UnsafeRawBufferPointer

    func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason) {
        do throws(JSONLineScanner.Failure) {
            try field.jsonScanner.extract(from: self.line, into: &text)
        } catch {
            switch error {
            case .malformed(let json): throw Self.reason(json, field: field)
            case .missingField: throw .missingField("\(field)")
            case .notAString(let kind): throw .notAString("\(field)", found: kind)
            case .notAContainer(let depth, let kind):
                let prefix = field.components.prefix(depth).joined(separator: ".")
                throw SkipReason(
                    key: "missing_field",
                    detail: "missing field '\(field)': '\(prefix)' is \(kind), not an object or array to look into")
            }
        }
    }

    func value() throws(SkipReason) -> JSONValue {
        do throws(JSONError) {
            return try JSONValue.parse(self.line)
        } catch {
            throw Self.reason(error, field: nil)
        }
    }

    private static func reason(_ error: JSONError, field: FieldPath?) -> SkipReason {
        if error.message.hasPrefix("lone surrogate") {
            return .invalidUTF8(field.map { "in field '\($0)': \(error.message)" } ?? error.message)
        }
        return .malformedJSON("\(error.message) at column \(error.offset + 1)")
    }
}

/// Whether a line holds only spaces, tabs and carriage returns.
@inline(__always)
func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    for b in bytes where !(b == 0x20 || b == 0x09 || b == 0x0D) { return false }
    return true
}
