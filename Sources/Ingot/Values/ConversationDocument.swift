/// One conversation of the corpus and where it came from: what ``ReadConversations`` emits and
/// ``TokenizeChat`` renders.
public struct ConversationDocument: Sendable {
    public var conversation: Conversation
    public var location: InputLocation

    public init(conversation: Conversation, location: InputLocation) {
        self.conversation = conversation
        self.location = location
    }
}
