public import IngotCore
import IngotCompression
import IngotSystem

/// JSON Lines: one JSON object per line (`.jsonl`, `.ndjson`, `.json`), plain or compressed
/// with zstd (`.zst`, any number of frames) or gzip (`.gz`, any number of members).
///
/// A plain file larger than the partition size is cut at line boundaries, so one large file
/// still spreads over partitions; a compressed file is read whole.
public struct JSONLinesFormat: InputFormat {
    public enum Compression: Sendable, Hashable {
        case none, zstd, gzip
    }

    public let compression: Compression

    public init(compression: Compression) {
        self.compression = compression
    }

    private static let baseSuffixes = [".jsonl", ".ndjson", ".json"]

    public var name: String {
        switch self.compression {
        case .none: "jsonl"
        case .zstd: "jsonl.zst"
        case .gzip: "jsonl.gz"
        }
    }

    public func accepts(fileName: String) -> Bool {
        let suffix =
            switch self.compression {
            case .none: ""
            case .zstd: ".zst"
            case .gzip: ".gz"
            }
        return fileName.hasAnySuffix(Self.baseSuffixes.map { $0 + suffix })
    }

    public func pieces(of file: CorpusFile, targetBytes: Int) throws(IngotError) -> [FilePiece]? {
        guard self.compression == .none else { return nil }
        return try Self.cutAtLines(file, every: targetBytes)
    }

    public func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading {
        let makeDecoder: (() throws(CompressionError) -> any StreamDecoder)? =
            switch self.compression {
            case .none: nil
            case .zstd: { () throws(CompressionError) in try ZstdStreamDecoder() }
            case .gzip: { () throws(CompressionError) in try GzipStreamDecoder() }
            }
        return ByteChunkReader(piece: piece, options: options, framing: .lines, makeDecoder: makeDecoder) { bytes, firstLine in
            JSONLineRecords(bytes: bytes, firstLine: firstLine)
        }
    }

    /// Cuts a file at the first line boundary after every multiple of `target` bytes: one
    /// sequential pass that also counts lines, so errors name the absolute line.
    static func cutAtLines(_ file: CorpusFile, every target: Int) throws(IngotError) -> [FilePiece] {
        let input: OpenFile
        do {
            input = try OpenFile(file.path, mode: .read)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        var pieces: [FilePiece] = []
        var pieceStart = 0
        var pieceLine = 1
        var line = 1
        var offset = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var nextCut = target
        while offset < file.size {
            buffer.removeAll(keepingCapacity: true)
            let n: Int
            do {
                n = try input.read(at: offset, count: 1 << 20, appendingTo: &buffer)
            } catch {
                throw IngotError(.io, "\(error)")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { raw in
                var i = 0
                while let position = ByteSearch.firstIndex(of: 0x0A, in: raw, from: i) {
                    line += 1
                    let lineEnd = offset + position + 1
                    if lineEnd >= nextCut && lineEnd < file.size {
                        pieces.append(FilePiece(file: file, range: pieceStart..<lineEnd, firstRecord: pieceLine))
                        pieceStart = lineEnd
                        pieceLine = line
                        nextCut = lineEnd + target
                    }
                    i = position + 1
                }
            }
            offset += n
        }
        pieces.append(FilePiece(file: file, range: pieceStart..<file.size, firstRecord: pieceLine))
        return pieces
    }
}
