public import IngotCore
import IngotSystem

/// Reads a partition's pieces one after another, each through its format's reader, and makes
/// sure nothing is lost on the way: when a piece ends, its chunks must have accounted for every
/// byte of its range, and its file must be as the run found it (same size, modification time
/// and identity). A file that changed while it was read is an error naming it.
public struct PartitionReader {
    public let partition: CorpusPartition
    public let options: ReadOptions
    /// Input bytes read so far, by path.
    public private(set) var bytesRead: [String: Int] = [:]
    private var nextPiece = 0
    private var current: (reader: any ChunkReading, piece: FilePiece, bytes: Int)?

    public init(partition: CorpusPartition, options: ReadOptions) {
        self.partition = partition
        self.options = options
    }

    /// The next chunk of the partition, or nil at its end.
    public mutating func next() throws(IngotError) -> CorpusChunk? {
        while true {
            if self.current == nil {
                guard self.nextPiece < self.partition.pieces.count else { return nil }
                let piece = self.partition.pieces[self.nextPiece]
                self.nextPiece += 1
                self.current = (try piece.file.format.makeReader(for: piece, options: self.options), piece, 0)
            }
            if let chunk = try self.current!.reader.next() {
                self.current!.bytes += chunk.inputBytes
                self.bytesRead[chunk.path, default: 0] += chunk.inputBytes
                return chunk
            }
            try Self.checkUnchanged(self.current!.piece, bytesRead: self.current!.bytes)
            self.current = nil
        }
    }

    /// Throws when the piece's file is not what the run found, or was not read whole.
    static func checkUnchanged(_ piece: FilePiece, bytesRead: Int) throws(IngotError) {
        let file = piece.file
        let now: FileStatus
        do {
            now = try FileSystem.status(of: file.path)
        } catch {
            throw IngotError(.io, "input '\(file.path)' vanished while it was read", cause: error)
        }
        var changes: [String] = []
        if now.size != file.size { changes.append("size \(file.size) -> \(now.size) bytes") }
        if now.modificationTime != file.modificationTime { changes.append("modified again") }
        if let identity = file.identity, identity != [now.device, now.inode] { changes.append("replaced by another file") }
        if bytesRead != piece.range.count { changes.append("\(bytesRead) of \(piece.range.count) bytes read") }
        guard changes.isEmpty else {
            throw IngotError(
                .invalidInput,
                "input '\(file.path)' changed while it was read (\(changes.joined(separator: ", "))); its documents cannot be trusted, run again when it is stable")
        }
    }
}
