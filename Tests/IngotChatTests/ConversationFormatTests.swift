import IngotChat
import IngotJSON
import Testing

@Suite struct ConversationFormatTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    static func roles(_ conversation: Conversation) -> [String] { conversation.messages.map(\.role) }

    static func contents(_ conversation: Conversation) -> [String] {
        conversation.messages.map { $0.object["content"]?.stringValue ?? "-" }
    }

    @Test func messagesKeepEveryKey() throws {
        let record = try Self.json(
            #"{"messages": [{"role": "user", "content": "hi", "name": "ann"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "1"}]}], "tools": [{"type": "function"}]}"#)
        let conversation = try ConversationFormat.messages.conversation(from: record)
        #expect(Self.roles(conversation) == ["user", "assistant"])
        #expect(conversation.messages[0].object["name"] == .string("ann"))
        #expect(conversation.messages[1].object["tool_calls"] != nil)
        #expect(conversation.tools == .array([.object([("type", .string("function"))])]))
    }

    @Test func shareGPTRolesMap() throws {
        let record = try Self.json(
            #"{"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}, {"from": "observation", "value": "o"}]}"#)
        let conversation = try ConversationFormat.sharegpt.conversation(from: record)
        #expect(Self.roles(conversation) == ["system", "user", "assistant", "tool"])
        #expect(Self.contents(conversation) == ["s", "q", "a", "o"])
    }

    @Test func alpacaJoinsInstructionAndInput() throws {
        let full = try ConversationFormat.alpaca.conversation(
            from: try Self.json(#"{"instruction": "Translate.", "input": "chat", "output": "cat", "system": "Be exact."}"#))
        #expect(Self.roles(full) == ["system", "user", "assistant"])
        #expect(Self.contents(full) == ["Be exact.", "Translate.\n\nchat", "cat"])
        let bare = try ConversationFormat.alpaca.conversation(from: try Self.json(#"{"instruction": "Name a prime.", "input": "", "output": "7"}"#))
        #expect(Self.contents(bare) == ["Name a prime.", "7"])
    }

    @Test func promptCompletionStringsOrMessages() throws {
        let strings = try ConversationFormat.promptCompletion.conversation(from: try Self.json(#"{"prompt": "2+2?", "completion": "4"}"#))
        #expect(Self.roles(strings) == ["user", "assistant"])
        let lists = try ConversationFormat.promptCompletion.conversation(
            from: try Self.json(
                #"{"prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}]}"#))
        #expect(Self.roles(lists) == ["system", "user", "assistant"])
    }

    @Test func autoDetectsEachShape() throws {
        let records = [
            #"{"messages": [{"role": "user", "content": "a"}]}"#, #"{"conversations": [{"from": "human", "value": "a"}]}"#,
            #"{"instruction": "a", "output": "b"}"#, #"{"prompt": "a", "completion": "b"}"#,
        ]
        for record in records {
            #expect(try ConversationFormat.auto.conversation(from: try Self.json(record)).messages.first?.role == "user")
        }
    }

    @Test(arguments: [
        (#"[1, 2]"#, ConversationFormat.auto, "malformed_conversation", "the record is an array, expected an object"),
        (#"{"text": "x"}"#, .auto, "unknown_conversation_format", "no conversation"),
        (#"{"messages": "hi"}"#, .messages, "malformed_conversation", "field 'messages' is a string, expected an array of messages"),
        (#"{"messages": []}"#, .messages, "empty_conversation", "messages is empty"),
        (#"{"messages": [{"content": "x"}]}"#, .messages, "malformed_conversation", "field 'messages.0.role' is null, expected a string"),
        (#"{"messages": [{"role": "user", "content": 3}]}"#, .messages, "malformed_conversation", "field 'messages.0.content' is a number"),
        (#"{"messages": [{"role": "user", "content": "x"}], "tools": {}}"#, .messages, "malformed_conversation", "field 'tools' is an object"),
        (#"{"conversations": [{"from": "bot", "value": "x"}]}"#, .sharegpt, "unknown_role", "conversations.0.from is 'bot'"),
        (#"{"instruction": "x"}"#, .alpaca, "missing_field", "missing field 'output'"),
        (#"{"prompt": "x", "completion": 5}"#, .promptCompletion, "malformed_conversation", "field 'completion' is a number"),
    ])
    func malformedRecordsAreRefusedWithAReason(_ record: String, _ format: ConversationFormat, _ key: String, _ message: String) throws {
        let error = #expect(throws: ChatError.self) { try format.conversation(from: try Self.json(record)) }
        #expect(error?.key == key)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }
}
