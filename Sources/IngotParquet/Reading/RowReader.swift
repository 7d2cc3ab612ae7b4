/// Reads the rows of some row groups of a ``ParquetFile``, only the top-level columns asked for,
/// into ``RowBatch``es (or as JSON lines): flat columns keep their values, nested lists and structs
/// (a `messages` column of `list<struct<role, content>>`) become JSON arrays and objects, nulls
/// `null`, byte arrays strings (their bytes as they are: invalid UTF-8 is left for the reader of
/// the text to refuse).
///
/// The rows' own order is kept; a row's entries are gathered from every selected column
/// (repetition level 0 starts a row) and assembled by walking the schema tree, as Parquet's
/// record assembly does.
public struct RowReader {
    private let file: ParquetFile
    private let groups: [Int]
    private let selected: [SchemaNode]
    private var groupPosition = 0
    /// One per leaf of the selected columns, in schema order.
    private var cursors: [ColumnCursor] = []
    /// Each cursor's entries of the current row (unused for top-level flat columns).
    private var entries: [ColumnCursor.RowEntries] = []
    private var rowsLeftInGroup = 0
    /// Per cursor: a top-level column that is not repeated, written straight from its page.
    private var isTopLevelLeaf: [Bool] = []
    /// Counts rows when no column is selected.
    private var counter: ColumnCursor?
    private var counterEntries: ColumnCursor.RowEntries?

    /// - Parameters:
    ///   - rowGroups: the row groups to read, in order.
    ///   - columns: top-level column names to read (nil: all). A name the file lacks is left out
    ///     (its rows then lack the field, which the field reader reports).
    public init(file: ParquetFile, rowGroups: [Int], columns: Set<String>?) throws(ParquetError) {
        self.file = file
        self.groups = rowGroups
        self.selected = file.schema.children.filter { columns?.contains($0.name) ?? true }
        guard file.schema.leafEnd > 0 || file.metadata.numRows == 0 else { throw ParquetError("it has rows but no columns") }
        for node in self.selected where node.element.isMap || node.leaves().contains(where: { $0.node.element.isMap }) {
            throw ParquetError("column \(node.name): MAP columns are not supported")
        }
    }

    /// An empty batch for this reader's columns.
    public func makeBatch() -> RowBatch {
        var columns: [RowBatch.Column] = []
        for node in self.selected {
            if node.isLeaf && !node.isRepeated, let type = node.element.type, let values = try? ColumnValues(for: type) {
                columns.append(.flat(ColumnValues(kind: values.kind), []))
            } else {
                columns.append(.json([], []))
            }
        }
        return RowBatch(names: self.selected.map(\.name), columns: columns)
    }

    /// Appends the next row as a JSON object and a newline to `output`; false after the last row.
    public mutating func appendNextRow(to output: inout [UInt8]) throws(ParquetError) -> Bool {
        var batch = self.makeBatch()
        guard try self.appendNextRow(to: &batch) else { return false }
        batch.appendJSON(row: 0, to: &output)
        output.append(0x0A)
        return true
    }

    /// Adds the next row to `batch` (from ``makeBatch()``); false after the last row.
    public mutating func appendNextRow(to batch: inout RowBatch) throws(ParquetError) -> Bool {
        while self.rowsLeftInGroup == 0 {
            try self.checkColumnsEnded()
            guard self.groupPosition < self.groups.count else { return false }
            try self.open(self.groups[self.groupPosition])
            self.groupPosition += 1
        }
        if self.counter != nil {
            self.counterEntries!.removeAll()
            guard try self.counter!.nextRow(into: &self.counterEntries!) else {
                throw ParquetError("column \(self.counter!.name) has fewer rows than its row group (\(self.rowsLeftInGroup) short)")
            }
        }
        for i in self.cursors.indices where !self.isTopLevelLeaf[i] {
            self.entries[i].removeAll()
            guard try self.cursors[i].nextRow(into: &self.entries[i]) else {
                throw ParquetError("column \(self.cursors[i].name) has fewer rows than its row group (\(self.rowsLeftInGroup) short)")
            }
        }
        var leaf = 0
        for (c, node) in self.selected.enumerated() {
            if self.isTopLevelLeaf[leaf] {
                guard try self.cursors[leaf].addNextTopLevelValue(to: &batch, column: c) else {
                    throw ParquetError("column \(self.cursors[leaf].name) has fewer rows than its row group (\(self.rowsLeftInGroup) short)")
                }
                leaf += 1
                continue
            }
            let count = node.leafEnd - node.leafStart
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(count)
            for j in 0..<count { ranges.append(0..<self.entries[leaf + j].definition.count) }
            let first = leaf
            try batch.addJSON(c) { output throws(ParquetError) in
                try self.appendField(node, ranges: ranges, leaves: first, to: &output)
            }
            leaf += count
        }
        self.rowsLeftInGroup -= 1
        batch.endRow()
        return true
    }

    /// A row group's columns must end with its last row: more would be rows the footer hides.
    private mutating func checkColumnsEnded() throws(ParquetError) {
        var all = self.cursors
        if let counter = self.counter { all.append(counter) }
        for i in all.indices {
            var scratch = all[i].emptyEntries()
            if try all[i].nextRow(into: &scratch) { throw ParquetError("column \(all[i].name) has more rows than its row group") }
        }
        self.cursors = []
        self.counter = nil
    }

    private mutating func open(_ group: Int) throws(ParquetError) {
        let rowGroup = self.file.metadata.rowGroups[group]
        self.cursors = []
        self.entries = []
        self.isTopLevelLeaf = []
        if self.selected.isEmpty, let first = self.file.schema.leaves(path: []).first, let meta = rowGroup.columns[0].metaData {
            // No column asked for: rows are still counted by a column's data, never by the footer alone.
            self.counter = try ColumnCursor(file: self.file.file, leaf: first.node, path: first.path, meta: meta)
            self.counterEntries = self.counter!.emptyEntries()
        }
        for node in self.selected {
            let leaves = node.leaves(path: [node.name])
            for (offset, leaf) in leaves.enumerated() {
                guard let meta = rowGroup.columns[node.leafStart + offset].metaData else { throw ParquetError("a column chunk lacks its metadata") }
                guard meta.path == leaf.path else {
                    throw ParquetError("row group \(group): column chunk \(meta.path.joined(separator: ".")) is not the schema's \(leaf.path.joined(separator: "."))")
                }
                let cursor = try ColumnCursor(file: self.file.file, leaf: leaf.node, path: leaf.path, meta: meta)
                self.entries.append(cursor.emptyEntries())
                self.cursors.append(cursor)
                self.isTopLevelLeaf.append(node.isLeaf && !node.isRepeated)
            }
        }
        self.rowsLeftInGroup = rowGroup.numRows
    }

    // MARK: - Record assembly

    /// The value of `node` within one instance of its parent: `ranges` are its leaves' entries
    /// (relative to `leaves`, the index of its first leaf among the selected ones).
    private func appendField(_ node: SchemaNode, ranges: [Range<Int>], leaves: Int, to output: inout [UInt8]) throws(ParquetError) {
        let first = self.entries[leaves].definition[ranges[0].lowerBound]
        if node.isRepeated {
            // A repeated field without a LIST annotation (legacy writers): an array of its instances.
            if Int(first) < node.definitionLevel {
                output.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
                return
            }
            try self.appendInstances(of: node, ranges: ranges, leaves: leaves, to: &output) { reader, instance, out throws(ParquetError) in
                try reader.appendValue(node, ranges: instance, leaves: leaves, to: &out)
            }
            return
        }
        if Int(first) < node.definitionLevel {
            output.append(contentsOf: Array("null".utf8))
            return
        }
        try self.appendValue(node, ranges: ranges, leaves: leaves, to: &output)
    }

    /// One defined instance of `node`.
    private func appendValue(_ node: SchemaNode, ranges: [Range<Int>], leaves: Int, to output: inout [UInt8]) throws(ParquetError) {
        if node.isLeaf {
            let entries = self.entries[leaves]
            let index = entries.valueIndex[ranges[0].lowerBound]
            guard index >= 0 else {
                output.append(contentsOf: Array("null".utf8))
                return
            }
            JSONText.append(entries.values, Int(index), to: &output)
            return
        }
        if node.element.isList, node.children.count == 1, node.children[0].isRepeated {
            let repeated = node.children[0]
            let first = self.entries[leaves].definition[ranges[0].lowerBound]
            if Int(first) < repeated.definitionLevel {
                output.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
                return
            }
            // The standard three levels (LIST > repeated group > element) give the element; a
            // repeated group of several fields, or named `array` or `*_tuple`, is the element itself.
            let isElementItself =
                repeated.isLeaf || repeated.children.count != 1 || repeated.name == "array" || repeated.name.hasSuffix("_tuple")
            try self.appendInstances(of: repeated, ranges: ranges, leaves: leaves, to: &output) { reader, instance, out throws(ParquetError) in
                if isElementItself {
                    try reader.appendValue(repeated, ranges: instance, leaves: leaves, to: &out)
                } else {
                    try reader.appendField(repeated.children[0], ranges: instance, leaves: leaves, to: &out)
                }
            }
            return
        }
        // A struct: its fields in schema order.
        output.append(UInt8(ascii: "{"))
        for (k, child) in node.children.enumerated() {
            if k > 0 { output.append(UInt8(ascii: ",")) }
            JSONText.appendString(Array(child.name.utf8)[...], to: &output)
            output.append(UInt8(ascii: ":"))
            let from = child.leafStart - node.leafStart
            try self.appendField(child, ranges: Array(ranges[from..<from + child.leafEnd - child.leafStart]), leaves: leaves + from, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Splits the entries of a repeated node into its instances (a new one where the repetition
    /// level falls to the node's) and writes them as a JSON array.
    private func appendInstances(
        of node: SchemaNode, ranges: [Range<Int>], leaves: Int, to output: inout [UInt8],
        _ body: (Self, [Range<Int>], inout [UInt8]) throws(ParquetError) -> Void
    ) throws(ParquetError) {
        let level = UInt8(node.repetitionLevel)
        var starts: [[Int]] = []
        for (j, range) in ranges.enumerated() {
            let repetition = self.entries[leaves + j].repetition
            var cuts = [range.lowerBound]
            var i = range.lowerBound + 1
            while i < range.upperBound {
                if repetition[i] <= level { cuts.append(i) }
                i += 1
            }
            starts.append(cuts)
        }
        let count = starts[0].count
        guard starts.allSatisfy({ $0.count == count }) else {
            throw ParquetError("the columns of '\(node.name)' disagree on how many elements a row has")
        }
        output.append(UInt8(ascii: "["))
        for k in 0..<count {
            if k > 0 { output.append(UInt8(ascii: ",")) }
            var instance: [Range<Int>] = []
            instance.reserveCapacity(ranges.count)
            for j in ranges.indices {
                instance.append(starts[j][k]..<(k + 1 < count ? starts[j][k + 1] : ranges[j].upperBound))
            }
            try body(self, instance, &output)
        }
        output.append(UInt8(ascii: "]"))
    }
}

/// JSON text for decoded values.
enum JSONText {
    private static let hex = Array("0123456789abcdef".utf8)
    static let null = Array("null".utf8)

    static func append(_ values: ColumnValues, _ i: Int, to output: inout [UInt8]) {
        switch values.kind {
        case .bytes: self.appendString(values.bytes(i), to: &output)
        case .integers: output.append(contentsOf: Array(String(values.integers[i]).utf8))
        case .reals:
            let value = values.reals[i]
            output.append(contentsOf: Array((value.isFinite ? "\(value)" : "null").utf8))
        case .booleans: output.append(contentsOf: Array((values.booleans[i] ? "true" : "false").utf8))
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, other bytes as they are.
    /// Text runs without any of those are found 8 bytes at a time and copied whole.
    static func appendString(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            let n = source.count
            output.reserveCapacity(output.count + n + 1)
            var runStart = 0
            var i = 0
            while i < n {
                while i + 8 <= n && !Self.needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
                guard i < n else { break }
                let b = base[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i]))
                    Self.appendEscape(b, to: &output)
                    runStart = i + 1
                }
                i += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<n]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any of the 8 bytes is a quote, a backslash or a control character (the classic
    /// "has zero byte" and "has byte less than" word tricks: exact for "any").
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        return (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highs != 0
    }

    private static func appendEscape(_ b: UInt8, to output: inout [UInt8]) {
        switch b {
        case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        default:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
        }
    }
}
