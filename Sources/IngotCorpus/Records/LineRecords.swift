public import IngotCore
import IngotJSON
import IngotSystem

/// A record that is one line of text (without its newline), valid UTF-8.
///
/// Line-framed formats (JSON Lines, TSV, ...) differ only here: ``LineRecords`` does the rest.
public protocol LineRecord: Record {
    /// The line, borrowed from its chunk for the duration of the call that receives the record.
    init(line: UnsafeRawBufferPointer)
}

/// Line framing: one record per line that is not blank.
///
/// Each line is counted as a document read (a whitespace-only line as a blank line instead),
/// validated as UTF-8 (an invalid line is rejected with its line number and never reaches the
/// record type), and numbered; cancellation is checked between lines.
public struct LineRecords<Line: LineRecord>: RecordBatch {
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
                try body(Line(line: bytes), location)
            }
        }
    }
}

/// Whether a line holds only spaces, tabs and carriage returns.
@inline(__always)
func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    for b in bytes where !(b == 0x20 || b == 0x09 || b == 0x0D) { return false }
    return true
}
