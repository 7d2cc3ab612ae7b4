public import IngotCore
import IngotParquet

/// Parquet (`.parquet`), as the HuggingFace Hub serves datasets: each row is a record of the
/// columns the pipeline reads (``ReadOptions/fields``), read as a JSON object would be, so field
/// paths (`--field meta.body`) and conversation formats (`messages` as `list<struct<role,
/// content>>`) work as they do on JSON Lines. Records are numbered by row, from 1, in error
/// messages.
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
