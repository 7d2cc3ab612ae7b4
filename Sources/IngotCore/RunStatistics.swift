/// Counters every stage adds to, merged across partitions at the end of a run.
///
/// Accounting invariant, checked by the runner as each partition finishes and again before it
/// publishes a dataset: `documentsRead == documentsWritten + documentsSkipped + documentsDropped`.
/// Stages keep their own counters in ``counters`` and ``dropped`` (by key), which reach the index,
/// the summary and `pipeline inspect` with no change here.
public struct RunStatistics: Sendable, Equatable, Codable {
    /// Bytes of input consumed (compressed files count their compressed size).
    public var inputBytes: Int = 0
    /// Documents seen by readers, good or bad.
    public var documentsRead: Int = 0
    /// Documents whose tokens reached a row.
    public var documentsWritten: Int = 0
    /// Documents skipped (with `--on-error skip`), by reason key.
    public var skipped: [String: Int] = [:]
    /// Documents dropped on purpose by a filter or deduplicator, by reason key.
    public var dropped: [String: Int] = [:]
    /// Counters kept by stages (``StageContext/count(_:by:)``), by key.
    public var counters: [String: Int] = [:]
    /// Whitespace-only lines in JSONL files: not documents, counted so nothing vanishes unseen.
    public var blankLines: Int = 0
    /// Tokens produced by the tokenizer, including appended BOS/EOS.
    public var tokens: Int = 0
    /// Fixed-length rows emitted.
    public var rows: Int = 0
    /// Row positions holding document tokens.
    public var realTokens: Int = 0
    /// Row positions holding padding.
    public var paddingTokens: Int = 0
    /// Tokens cut by truncation (padding pipelines) or dropped with a final partial row.
    public var truncatedTokens: Int = 0
    /// Documents split across rows because they were longer than a row (or by greedy packing).
    public var splitDocuments: Int = 0
    /// Document lengths in tokens: bucket 0 counts empty documents, bucket i >= 1 counts lengths
    /// in [2^(i-1), 2^i).
    public var documentLengthHistogram: [Int] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case inputBytes = "input_bytes"
        case documentsRead = "documents_read"
        case documentsWritten = "documents_written"
        case skipped, dropped, counters
        case blankLines = "blank_lines"
        case tokens
        case rows
        case realTokens = "real_tokens"
        case paddingTokens = "padding_tokens"
        case truncatedTokens = "truncated_tokens"
        case splitDocuments = "split_documents"
        case documentLengthHistogram = "document_length_log2_histogram"
    }

    /// Documents skipped for any reason.
    public var documentsSkipped: Int { self.skipped.values.reduce(0, +) }

    /// Documents dropped for any reason.
    public var documentsDropped: Int { self.dropped.values.reduce(0, +) }

    /// Checks that every document read was written, skipped or dropped; `scope` names what the
    /// counts cover in the error ("partition 3").
    public func checkAccounting(_ scope: String) throws(IngotError) {
        guard self.documentsRead == self.documentsWritten + self.documentsSkipped + self.documentsDropped else {
            throw IngotError(
                .internalInconsistency,
                "\(scope): documents read (\(self.documentsRead)) != written (\(self.documentsWritten)) + skipped (\(self.documentsSkipped)) + dropped (\(self.documentsDropped))"
            )
        }
    }

    /// Padding as a fraction of all row positions.
    public var paddingFraction: Double {
        let total = self.realTokens + self.paddingTokens
        return total == 0 ? 0 : Double(self.paddingTokens) / Double(total)
    }

    public mutating func recordDocumentLength(_ length: Int) {
        let bucket = length == 0 ? 0 : (Int.bitWidth - length.leadingZeroBitCount)
        if self.documentLengthHistogram.count <= bucket {
            self.documentLengthHistogram.append(contentsOf: repeatElement(0, count: bucket + 1 - self.documentLengthHistogram.count))
        }
        self.documentLengthHistogram[bucket] += 1
    }

    public mutating func recordSkip(_ reason: SkipReason) {
        self.skipped[reason.key, default: 0] += 1
    }

    /// Adds another partition's counters to these.
    public mutating func merge(_ other: RunStatistics) {
        self.inputBytes += other.inputBytes
        self.documentsRead += other.documentsRead
        self.documentsWritten += other.documentsWritten
        self.skipped.merge(other.skipped, uniquingKeysWith: +)
        self.dropped.merge(other.dropped, uniquingKeysWith: +)
        self.counters.merge(other.counters, uniquingKeysWith: +)
        self.blankLines += other.blankLines
        self.tokens += other.tokens
        self.rows += other.rows
        self.realTokens += other.realTokens
        self.paddingTokens += other.paddingTokens
        self.truncatedTokens += other.truncatedTokens
        self.splitDocuments += other.splitDocuments
        if self.documentLengthHistogram.count < other.documentLengthHistogram.count {
            self.documentLengthHistogram.append(
                contentsOf: repeatElement(0, count: other.documentLengthHistogram.count - self.documentLengthHistogram.count))
        }
        for (i, n) in other.documentLengthHistogram.enumerated() {
            self.documentLengthHistogram[i] += n
        }
    }
}
