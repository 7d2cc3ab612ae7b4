public import IngotCore

/// A block of corpus text handed to a worker: complete JSONL lines, or one whole text file.
///
/// The reader cuts chunks at line boundaries, so a chunk never splits a document. When it finds
/// a defect only the reader can see (a truncated compressed stream, an empty file) it attaches
/// it as ``failure`` and ``ReadCorpus`` reports it after the chunk's lines, with the error policy
/// in force.
public struct CorpusChunk: Sendable {
    public var bytes: [UInt8]
    public var path: String
    public var format: CorpusFile.Format
    /// 1-based line number of the first line in `bytes`.
    public var firstLine: Int
    /// Raw input bytes (compressed, for compressed files) this chunk accounts for.
    public var inputBytes: Int
    /// A defect found after the chunk's last complete line.
    public var failure: (reason: SkipReason, line: Int)?

    public init(
        bytes: [UInt8],
        path: String,
        format: CorpusFile.Format,
        firstLine: Int = 1,
        inputBytes: Int? = nil,
        failure: (reason: SkipReason, line: Int)? = nil
    ) {
        self.bytes = bytes
        self.path = path
        self.format = format
        self.firstLine = firstLine
        self.inputBytes = inputBytes ?? bytes.count
        self.failure = failure
    }
}
