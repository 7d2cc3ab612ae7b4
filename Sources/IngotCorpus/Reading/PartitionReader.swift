public import IngotCore

/// Reads a partition's pieces one after another, each through its format's reader.
public struct PartitionReader {
    public let partition: CorpusPartition
    public let options: ReadOptions
    private var nextPiece = 0
    private var current: (any ChunkReading)?

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
                self.current = try piece.file.format.makeReader(for: piece, options: self.options)
            }
            if let chunk = try self.current!.next() { return chunk }
            self.current = nil
        }
    }
}
