public import IngotCore

/// A block of corpus records handed to a worker: complete JSON lines, or one whole text file.
///
/// Readers cut chunks at record boundaries, so a chunk never splits a document. When a reader
/// finds a defect only it can see (a truncated compressed stream, an empty file) it attaches it
/// as ``failure``, reported after the chunk's records with the error policy in force.
public struct CorpusChunk: Sendable {
    /// The file the records come from.
    public var path: String
    public var records: any RecordBatch
    /// Raw input bytes (compressed, for compressed files) this chunk accounts for.
    public var inputBytes: Int
    /// A defect found after the chunk's last complete record, and the line it is reported at.
    public var failure: (reason: SkipReason, line: Int)?

    public init(path: String, records: any RecordBatch, inputBytes: Int, failure: (reason: SkipReason, line: Int)? = nil) {
        self.path = path
        self.records = records
        self.inputBytes = inputBytes
        self.failure = failure
    }

    /// Calls `body` with each record, then reports the chunk's failure (as one more document
    /// read, rejected); counts the chunk's input bytes.
    public func forEachRecord(context: StageContext, _ body: (any Record, InputLocation) throws -> Void) throws {
        context.statistics.inputBytes += self.inputBytes
        try self.records.forEachRecord(path: self.path, context: context, body)
        if let failure = self.failure {
            context.statistics.documentsRead += 1
            try context.reject(failure.reason, at: InputLocation(path: self.path, line: failure.line))
        }
    }
}
