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
    private var text: [UInt8] = []

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
        try chunk.forEachRecord(context: context) { record, location in
            do throws(SkipReason) {
                try record.text(at: self.field, into: &self.text)
            } catch {
                try context.reject(error, at: location)
                return
            }
            try emit(Document(text: self.text, location: location))
        }
    }

    public func describe(_ description: inout StageDescription) {
        description.record("text_field", self.field)
    }
}
