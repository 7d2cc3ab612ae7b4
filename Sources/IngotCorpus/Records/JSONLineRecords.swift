public import IngotCore
public import IngotJSON

/// Complete JSON lines: one record per non-blank line, each a JSON object. JSON syntax is
/// validated by the extraction (the whole line, wherever the defect is).
public typealias JSONLineRecords = LineRecords<JSONLineRecord>

/// One JSON line, valid UTF-8, borrowed from its chunk for the duration of the call.
public struct JSONLineRecord: LineRecord {
    let line: UnsafeRawBufferPointer

    public init(line: UnsafeRawBufferPointer) {
        self.line = line
    }

    public func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason) {
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

    public func value() throws(SkipReason) -> JSONValue {
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
