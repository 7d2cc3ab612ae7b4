public import IngotCore

/// A kind of input file: how files of that kind are recognised, cut into partition pieces, and
/// read as chunks of records.
///
/// JSON Lines (plain, zstd, gzip) and plain text are the built-in implementations
/// (``InputFormats/builtIn``). A new format is one type conforming to this protocol, listed in
/// the formats a pipeline reads (``InputFormats``): discovery, partitioning, the runner and the
/// reading stages do not change.
///
/// A format frames its records (lines, paragraphs, rows) in the ``RecordBatch`` of each chunk,
/// which also validates and counts them; the stages that read chunks (``ReadCorpus``) only
/// extract fields from the records, so a new record shape reuses the framing of its format.
public protocol InputFormat: Sendable {
    /// A short name for messages and the index: `jsonl`, `jsonl.zst`, `txt`.
    var name: String { get }

    /// Whether this format reads a file with this name (by its suffix, case-insensitively).
    func accepts(fileName: String) -> Bool

    /// Cuts a file larger than `targetBytes` into pieces, each becoming its own partition, or
    /// returns nil to read the file whole (grouped with its neighbours into partitions of about
    /// `targetBytes`). Must depend only on the file's content and `targetBytes`.
    func pieces(of file: CorpusFile, targetBytes: Int) throws(IngotError) -> [FilePiece]?

    /// Opens one piece for reading, as chunks of about `options.chunkBytes` of input.
    func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading
}

extension InputFormat {
    /// By default a file is read whole.
    public func pieces(of file: CorpusFile, targetBytes: Int) throws(IngotError) -> [FilePiece]? { nil }
}

/// A reader of one piece: the chunks in input order, then nil.
public protocol ChunkReading {
    mutating func next() throws(IngotError) -> CorpusChunk?
}

/// Options that change how inputs are read, whatever the pipeline.
public struct ReadOptions: Sendable, Hashable {
    /// Bytes of input per chunk (the unit workers hand around).
    public var chunkBytes: Int
    /// How `.txt` files become documents.
    public var textSplitting: TextSplitting
    /// The top-level fields the pipeline reads, when it says: columnar formats (Parquet) read only
    /// these columns. Nil: every field. Never changes the documents, only what is read.
    public var fields: Set<String>?

    public init(chunkBytes: Int = 1 << 20, textSplitting: TextSplitting = .wholeFile, fields: Set<String>? = nil) {
        precondition(chunkBytes > 0, "chunkBytes must be positive")
        self.chunkBytes = chunkBytes
        self.textSplitting = textSplitting
        self.fields = fields
    }
}

/// How plain-text files become documents.
public struct TextSplitting: Sendable, Hashable, CustomStringConvertible {
    enum Wrapped: Sendable, Hashable { case wholeFile, blankLines }
    let wrapped: Wrapped
    /// One document per file (the default).
    public static let wholeFile = TextSplitting(wrapped: .wholeFile)
    /// One document per run of non-blank lines (paragraphs).
    public static let blankLines = TextSplitting(wrapped: .blankLines)

    public var description: String { self.wrapped == .wholeFile ? "whole-file" : "paragraphs" }
}
