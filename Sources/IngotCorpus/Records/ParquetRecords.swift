import IngotCore
import IngotJSON
import IngotParquet

/// A chunk's Parquet rows as records. A top-level text field is handed out as stored (checked
/// for UTF-8); any other access goes through the row as a JSON object, so field paths and
/// conversation formats behave exactly as they do on JSON Lines.
struct ParquetRecords: RecordBatch {
    let batch: RowBatch
    let firstRow: Int

    func forEachRecord(path: String, context: StageContext, _ body: (any Record, InputLocation) throws -> Void) throws {
        for row in 0..<self.batch.count {
            try context.checkCancellation()
            context.statistics.documentsRead += 1
            try body(ParquetRecord(batch: self.batch, row: row), InputLocation(path: path, line: self.firstRow + row))
        }
    }
}

struct ParquetRecord: Record {
    let batch: RowBatch
    let row: Int

    func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason) {
        if field.components.count == 1 {
            switch self.batch.field(field.components[0], row: self.row) {
            case .missing: throw .missingField("\(field)")
            case .null: throw .notAString("\(field)", found: "null")
            case .scalar(let kind): throw .notAString("\(field)", found: kind)
            case .bytes(let bytes):
                let invalid = bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
                if let invalid { throw .invalidUTF8("in field '\(field)' at byte \(invalid + 1)") }
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: bytes)
                return
            case .json: break
            }
        }
        try self.withJSONLine { line throws(SkipReason) in try line.text(at: field, into: &text) }
    }

    func value() throws(SkipReason) -> JSONValue {
        try self.withJSONLine { line throws(SkipReason) in try line.value() }
    }

    /// The row as a JSON line record (valid UTF-8 checked first, as for a line of a file).
    private func withJSONLine<T>(_ body: (JSONLineRecord) throws(SkipReason) -> T) throws(SkipReason) -> T {
        var line: [UInt8] = []
        self.batch.appendJSON(row: self.row, to: &line)
        let result = line.withUnsafeBytes { raw -> Result<T, SkipReason> in
            if let invalid = UTF8Validation.firstInvalidOffset(in: raw) { return .failure(.invalidUTF8("at byte \(invalid + 1) of the row as JSON")) }
            return Result { () throws(SkipReason) in try body(JSONLineRecord(line: raw)) }
        }
        return try result.get()
    }
}
