public import IngotCore

/// Turns corpus chunks into documents: the text at a field of each record (a JSON line), or the
/// record itself for plain text.
///
/// Framing, validation and accounting are the chunk's (``RecordBatch``): a record whose field is
/// missing, is not a string, or is malformed stops the run with `file:line: reason`, or is
/// counted by reason under `--on-error skip`.
public struct ReadCorpus: Stage {
    public typealias Input = CorpusChunk
    public typealias Output = Document

    public let field: FieldPath

    /// - Parameter field: the JSON key holding the text; dots reach nested objects (`meta.body`)
    ///   and numbers index arrays (`messages.0.content`).
    public init(field: String = "text") {
        self.field = FieldPath(field)
    }

    public mutating func process(
        _ chunk: consuming CorpusChunk,
        context: StageContext,
        emit: (consuming Document) throws -> Void
    ) throws {
        // Every document of the chunk is extracted before any is emitted, then the chunk goes:
        // while a document is tokenized, neither its record nor the chunk holds it too. Each
        // document moves on owning its text, so the text is freed as soon as it is tokenized.
        var documents: [Document] = []
        try chunk.forEachRecord(context: context) { record, location in
            var text: [UInt8] = []
            do throws(SkipReason) {
                try record.text(at: self.field, into: &text)
            } catch {
                try context.reject(error, at: location)
                return
            }
            documents.append(Document(text: text, location: location))
        }
        _ = consume chunk
        documents.reverse()
        while let document = documents.popLast() {
            try emit(document)
        }
    }

    /// Each chunk's records are read on their own.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("text_field", self.field)
        description.readsFields([self.field.components[0]])
    }
}
