// The worked example of docs/writing-a-stage.md: a filter stage, a new input format and a
// pipeline with its own option, none of which touches the runner. Each `docs:` region appears
// verbatim in the document (DocsExampleTests checks it).
import ArgumentParser
import Ingot

// docs:begin filter
/// Drops documents shorter than `minTokens` tokens, EOS included: counted, never an error.
public struct DropShortDocuments: Stage {
    public typealias Input = TokenizedDocument
    public typealias Output = TokenizedDocument

    public let minTokens: Int

    public init(minTokens: Int) {
        self.minTokens = minTokens
    }

    public func process(
        _ document: consuming TokenizedDocument,
        context: StageContext,
        emit: (consuming TokenizedDocument) throws -> Void
    ) throws {
        guard document.tokens.count >= self.minTokens else {
            context.drop("shorter_than_min_tokens", at: document.location)
            context.count("tokens_in_dropped_documents", by: document.tokens.count)
            return
        }
        try emit(document)
    }

    /// A document is kept or dropped on its own length: workers may filter chunks in parallel.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("min_tokens", self.minTokens)
        description.declareDropReason("shorter_than_min_tokens")
        description.declareCounter("tokens_in_dropped_documents")
    }
}
// docs:end

// docs:begin source
/// Tab-separated values, one document per line; `--field 2` reads the second column.
public struct TSVFormat: InputFormat {
    public init() {}

    public var name: String { "tsv" }

    public func accepts(fileName: String) -> Bool {
        fileName.lowercased().hasSuffix(".tsv")
    }

    public func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading {
        ByteChunkReader(piece: piece, options: options, framing: .lines) { bytes, firstLine in
            LineRecords<TSVRecord>(bytes: bytes, firstLine: firstLine)
        }
    }
}

/// One line of a TSV file (valid UTF-8: the line framing checked it).
public struct TSVRecord: LineRecord {
    let line: UnsafeRawBufferPointer

    public init(line: UnsafeRawBufferPointer) {
        self.line = line
    }

    private var columns: [Slice<UnsafeRawBufferPointer>] {
        self.line.split(separator: 0x09, omittingEmptySubsequences: false)
    }

    public func text(at field: FieldPath, into text: inout [UInt8]) throws(SkipReason) {
        let columns = self.columns
        guard field.components.count == 1, let column = Int(field.components[0]), (1...columns.count).contains(column) else {
            throw .missingField("\(field)")
        }
        text = Array(columns[column - 1])
    }

    public func value() throws(SkipReason) -> JSONValue {
        .array(self.columns.map { .string(String(decoding: $0, as: UTF8.self)) })
    }
}
// docs:end

// docs:begin pipeline
/// Pre-training data from JSON Lines, text or TSV, without documents too short to teach anything.
public struct FilteredPretrain: PipelineDefinition {
    public static let name = "filtered-pretrain"
    public static let abstract = "Pretrain, dropping documents shorter than --min-tokens."
    public static var inputFormats: InputFormats { .builtIn.adding(TSVFormat()) }

    @Option(help: "Drop documents with fewer tokens than this, EOS included (0 keeps all).")
    public var minTokens: Int = 0

    public init() {}

    public func validate() throws {
        guard self.minTokens >= 0 else { throw ValidationError("--min-tokens cannot be negative") }
    }

    public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
        ReadCorpus(field: run.textField)
        try Tokenize(run.tokenizer, appendEOS: true)
        if self.minTokens > 0 {
            DropShortDocuments(minTokens: self.minTokens)
        }
        Pack(seqLen: run.seqLen, padID: run.padTokenID)
        WriteShards(schema: run.schema)
    }
}
// docs:end
