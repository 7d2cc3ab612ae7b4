import IngotCore
import IngotParquet

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
