public import IngotCore
import IngotJSON
import IngotParquet

/// Parquet (`.parquet`), as the HuggingFace Hub serves datasets: each row becomes a JSON object
/// of the columns the pipeline reads (``ReadOptions/fields``), so field paths (`--field
/// meta.body`) and conversation formats (`messages` as `list<struct<role, content>>`) work as they
/// do on JSON Lines. Records are numbered by row, from 1, in error messages.
///
/// A file larger than the partition size is cut at row-group boundaries: row groups are the
/// partitions' unit, so partitioning stays fixed by the file. Column chunks are read page by page
/// with `pread`, only for the columns read.
public struct ParquetFormat: InputFormat {
    public init() {}

    public var name: String { "parquet" }

    public func accepts(fileName: String) -> Bool {
        fileName.hasAnySuffix([".parquet"])
    }

    public func pieces(of file: CorpusFile, targetBytes: Int) throws(IngotError) -> [FilePiece]? {
        let parquet = try Self.open(file.path)
        let ranges = parquet.rowGroupRanges
        // Row groups laid out in file order can be cut between; anything else is read whole.
        guard ranges.count > 1, ranges.allSatisfy({ $0 != nil }),
            zip(ranges, ranges.dropFirst()).allSatisfy({ $0!.upperBound <= $1!.lowerBound })
        else { return nil }
        var pieces: [FilePiece] = []
        var start = 0
        var pieceRows = 0
        var rows = 0
        for g in ranges.indices {
            rows += parquet.rowGroupRows[g]
            let end = g + 1 < ranges.count ? ranges[g + 1]!.lowerBound : file.size
            if end - start >= targetBytes || g + 1 == ranges.count {
                pieces.append(FilePiece(file: file, range: start..<end, firstRecord: pieceRows + 1))
                start = end
                pieceRows = rows
            }
        }
        return pieces
    }

    public func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading {
        try ParquetChunkReader(piece: piece, options: options)
    }

    static func open(_ path: String) throws(IngotError) -> ParquetFile {
        do {
            return try ParquetFile(path: path)
        } catch {
            throw IngotError(.invalidInput, "'\(path)': \(error.description)")
        }
    }
}

/// Reads a piece of a Parquet file (its row groups whose data starts in the piece's range) as
/// chunks of rows, about `chunkBytes` of values each.
struct ParquetChunkReader: ChunkReading {
    let piece: FilePiece
    private let chunkBytes: Int
    private var rows: RowReader
    private var nextRow: Int
    private var done = false

    init(piece: FilePiece, options: ReadOptions) throws(IngotError) {
        self.piece = piece
        self.chunkBytes = options.chunkBytes
        let file = try ParquetFormat.open(piece.file.path)
        let ranges = file.rowGroupRanges
        let groups = ranges.indices.filter { g in piece.isWholeFile || ranges[g].map { piece.range.contains($0.lowerBound) } ?? false }
        do {
            self.rows = try RowReader(file: file, rowGroups: groups, columns: options.fields)
        } catch {
            throw IngotError(.invalidInput, "'\(piece.file.path)': \(error.description)")
        }
        self.nextRow = piece.firstRecord
    }

    mutating func next() throws(IngotError) -> CorpusChunk? {
        guard !self.done else { return nil }
        var batch = self.rows.makeBatch()
        let first = self.nextRow
        while batch.byteCount < self.chunkBytes {
            do {
                guard try self.rows.appendNextRow(to: &batch) else {
                    self.done = true
                    break
                }
            } catch {
                throw IngotError(.invalidInput, "\(self.piece.file.path):\(self.nextRow): \(error.description)")
            }
            self.nextRow += 1
        }
        // The piece's bytes are accounted for with its last chunk: a row group is read column by
        // column, not front to back.
        return CorpusChunk(
            path: self.piece.file.path, records: ParquetRecords(batch: batch, firstRow: first), inputBytes: self.done ? self.piece.range.count : 0)
    }
}

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
        var extracted: [UInt8] = []
        swap(&extracted, &text)
        defer { swap(&extracted, &text) }
        try self.withJSONLine { line throws(SkipReason) in try line.text(at: field, into: &extracted) }
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
