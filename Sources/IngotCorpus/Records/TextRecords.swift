public import IngotCore
import IngotJSON
import IngotSystem

/// A plain-text file: one record for the whole file, or one per paragraph (a maximal run of
/// non-blank lines, joined with its newlines).
public struct TextRecords: RecordBatch {
    public var bytes: [UInt8]
    public var firstLine: Int
    public var splitting: TextSplitting

    public init(bytes: [UInt8], firstLine: Int = 1, splitting: TextSplitting) {
        self.bytes = bytes
        self.firstLine = firstLine
        self.splitting = splitting
    }

    public func forEachRecord(path: String, context: StageContext, _ body: (any Record, InputLocation) throws -> Void) throws {
        guard !self.bytes.isEmpty else { return }
        let invalid = self.bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
        if let invalid {
            context.statistics.documentsRead += 1
            let line = self.firstLine + self.bytes.withUnsafeBytes { ByteSearch.count(of: 0x0A, in: $0, upTo: invalid) }
            try context.reject(.invalidUTF8("at byte \(invalid + 1) of the file"), at: InputLocation(path: path, line: line))
            return
        }
        switch self.splitting.wrapped {
        case .wholeFile:
            context.statistics.documentsRead += 1
            try body(TextRecord(bytes: self.bytes, range: nil), InputLocation(path: path, line: self.firstLine))
        case .blankLines:
            try self.forEachParagraph { range, line in
                try context.checkCancellation()
                context.statistics.documentsRead += 1
                try body(TextRecord(bytes: self.bytes, range: range), InputLocation(path: path, line: line))
            }
        }
    }

    private func forEachParagraph(_ body: (Range<Int>, Int) throws -> Void) throws {
        var paragraph: (start: Int, line: Int)?
        var paragraphEnd = 0
        var line = self.firstLine
        try self.bytes.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = ByteSearch.firstIndex(of: 0x0A, in: raw, from: start) ?? raw.count
                if isBlank(UnsafeRawBufferPointer(rebasing: raw[start..<end])) {
                    if let p = paragraph { try body(p.start..<paragraphEnd, p.line) }
                    paragraph = nil
                } else {
                    if paragraph == nil { paragraph = (start, line) }
                    paragraphEnd = end
                }
                start = end + 1
                line += 1
            }
        }
        if let p = paragraph { try body(p.start..<paragraphEnd, p.line) }
    }
}

/// A text document (valid UTF-8): every field path reads the text itself.
struct TextRecord: Record {
    let bytes: [UInt8]
    /// The paragraph's bytes, or nil for the whole file (handed on without a copy).
    let range: Range<Int>?

    func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason) {
        if let range = self.range {
            text.removeAll(keepingCapacity: true)
            text.append(contentsOf: self.bytes[range])
        } else {
            text = self.bytes
        }
    }

    func value() throws(SkipReason) -> JSONValue {
        .string(String(decoding: self.bytes[self.range ?? 0..<self.bytes.count], as: UTF8.self))
    }
}
