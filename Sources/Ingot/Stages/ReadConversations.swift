/// Turns corpus chunks into conversations: each record (a JSON line) parsed in one of the
/// formats of ``ConversationFormat`` (`messages`, ShareGPT, Alpaca, prompt-completion).
///
/// A record that is not valid JSON or holds no conversation in the format stops the run with
/// `file:line: reason`, or is counted by reason under `--on-error skip`.
public struct ReadConversations: Stage {
    public typealias Input = CorpusChunk
    public typealias Output = ConversationDocument

    public let format: ConversationFormat

    public init(format: ConversationFormat = .auto) {
        self.format = format
    }

    public mutating func process(
        _ chunk: consuming CorpusChunk,
        context: StageContext,
        emit: (consuming ConversationDocument) throws -> Void
    ) throws {
        var conversations: [ConversationDocument] = []
        try chunk.forEachRecord(context: context) { record, location in
            let conversation: Conversation
            do throws(SkipReason) {
                let value = try record.value()
                do throws(ChatError) {
                    conversation = try self.format.conversation(from: value)
                } catch {
                    throw SkipReason(error)
                }
            } catch {
                try context.reject(error, at: location)
                return
            }
            conversations.append(ConversationDocument(conversation: conversation, location: location))
        }
        _ = consume chunk
        for conversation in conversations { try emit(conversation) }
    }

    /// Each chunk's records are read on their own.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("conversation_format", self.format)
        description.readsFields(self.format.recordFields)
    }
}

extension SkipReason {
    /// A conversation's defect, counted under its key.
    init(_ error: ChatError) {
        self.init(key: error.key, detail: error.message)
    }
}
