/// Rows of a Parquet file read together, column by column: top-level columns that are neither
/// nested nor repeated keep their values (a text column's bytes are handed out as they are, with
/// no JSON round trip), nested columns keep each row's value as JSON text.
public struct RowBatch: Sendable {
    enum Column: Sendable {
        /// Values and, per row, the value's index (-1 for null).
        case flat(ColumnValues, [Int32])
        /// Per row, the range of the row's JSON value in the text.
        case json([UInt8], [Range<Int>])
    }

    /// A row's value in one column.
    public enum Field {
        /// The batch has no such column (the file lacks it, or it was not read).
        case missing
        case null
        /// A byte array (strings), as stored.
        case bytes(ArraySlice<UInt8>)
        /// A number or a boolean: what it is, in words ("a number").
        case scalar(kind: String)
        /// A nested value, as JSON text.
        case json(ArraySlice<UInt8>)
    }

    /// The columns' names, in schema order.
    public let names: [String]
    var columns: [Column]
    public private(set) var count = 0
    /// Bytes of values and JSON text held: what sizes a batch.
    public private(set) var byteCount = 0

    init(names: [String], columns: [Column]) {
        self.names = names
        self.columns = columns
    }

    public func field(_ name: String, row: Int) -> Field {
        guard let c = self.names.firstIndex(of: name) else { return .missing }
        switch self.columns[c] {
        case .flat(let values, let indices):
            let index = Int(indices[row])
            guard index >= 0 else { return .null }
            switch values.kind {
            case .bytes: return .bytes(values.bytes(index))
            case .integers, .reals: return .scalar(kind: "a number")
            case .booleans: return .scalar(kind: "a boolean")
            }
        case .json(let text, let ranges):
            return .json(text[ranges[row]])
        }
    }

    /// Appends row `row` as a JSON object (columns in schema order).
    public func appendJSON(row: Int, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (c, name) in self.names.enumerated() {
            if c > 0 { output.append(UInt8(ascii: ",")) }
            JSONText.appendString(Array(name.utf8)[...], to: &output)
            output.append(UInt8(ascii: ":"))
            switch self.columns[c] {
            case .flat(let values, let indices):
                let index = Int(indices[row])
                if index < 0 { output.append(contentsOf: JSONText.null) } else { JSONText.append(values, index, to: &output) }
            case .json(let text, let ranges):
                output.append(contentsOf: text[ranges[row]])
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    mutating func endRow() {
        self.count += 1
    }

    mutating func addFlat(_ c: Int, from values: ColumnValues, _ index: Int?) {
        guard case .flat(var stored, var indices) = self.columns[c] else { preconditionFailure("not a flat column") }
        self.columns[c] = .flat(ColumnValues(kind: stored.kind), [])  // keep the buffers unique while they grow
        if let index {
            indices.append(Int32(stored.count))
            stored.append(index, of: values)
            if stored.kind == .bytes { self.byteCount += stored.refs[stored.count - 1].range.count }
        } else {
            indices.append(-1)
        }
        self.byteCount += 8
        self.columns[c] = .flat(stored, indices)
    }

    mutating func addJSON(_ c: Int, _ write: (inout [UInt8]) throws(ParquetError) -> Void) throws(ParquetError) {
        guard case .json(var text, var ranges) = self.columns[c] else { preconditionFailure("not a JSON column") }
        self.columns[c] = .json([], [])
        let start = text.count
        defer { self.columns[c] = .json(text, ranges) }
        try write(&text)
        ranges.append(start..<text.count)
        self.byteCount += text.count - start + 16
    }
}
