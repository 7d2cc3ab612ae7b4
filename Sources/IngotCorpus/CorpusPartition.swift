/// A unit of work: a contiguous run of the corpus, fixed by the input and the partition size,
/// never by the worker count. Shards are named by partition, so any number of workers (or a
/// cluster's job array) produces the same files.
public struct CorpusPartition: Sendable {
    public var index: Int
    public var pieces: [FilePiece]

    public init(index: Int, pieces: [FilePiece]) {
        self.index = index
        self.pieces = pieces
    }

    /// Input bytes this partition covers (compressed size for compressed files).
    public var byteCount: Int { self.pieces.reduce(0) { $0 + $1.range.count } }
}
