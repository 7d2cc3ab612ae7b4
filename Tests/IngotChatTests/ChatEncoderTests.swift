import Foundation
import IngotChat
import IngotJSON
import IngotTestSupport
import IngotTokenizers
import Testing

/// The assistant mask on the bundled GPT-2 tokenizer and ChatML template (no shared fixtures
/// needed; `MaskOracleTests` checks real templates against transformers).
@Suite struct ChatEncoderTests {
    static let tokenizer = Result { try Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path) }
    static let chatML = Result {
        try ChatTemplate.load(besideTokenizer: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
    }

    static let conversation = Conversation(messages: [
        ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "2+2?"), ChatMessage(role: "assistant", content: "4"),
        ChatMessage(role: "user", content: "3+3?"), ChatMessage(role: "assistant", content: "6"),
    ])

    /// The text of the trained tokens, run by run.
    static func trainedText(_ example: ChatExample, _ tokenizer: Tokenizer) -> [String] {
        var runs: [[UInt32]] = []
        for (i, id) in example.ids.enumerated() where example.mask[i] == 1 {
            if i > 0 && example.mask[i - 1] == 1 { runs[runs.count - 1].append(id) } else { runs.append([id]) }
        }
        return runs.map { tokenizer.decode($0) }
    }

    @Test func repliesAndTheirEndOfTurnAreTrained() throws {
        let tokenizer = try Self.tokenizer.get()
        var encoder = ChatEncoder(template: try Self.chatML.get(), tokenizer: tokenizer)
        let example = try encoder.encode(Self.conversation)
        #expect(tokenizer.decode(example.ids) == (try Self.chatML.get().render(Self.conversation)))
        #expect(Self.trainedText(example, tokenizer) == ["4<|im_end|>\n", "6<|im_end|>\n"])
    }

    @Test func lastAssistantAndAll() throws {
        let tokenizer = try Self.tokenizer.get()
        var last = ChatEncoder(template: try Self.chatML.get(), tokenizer: tokenizer, target: .lastAssistant)
        #expect(Self.trainedText(try last.encode(Self.conversation), tokenizer) == ["6<|im_end|>\n"])
        var all = ChatEncoder(template: try Self.chatML.get(), tokenizer: tokenizer, target: .all)
        let example = try all.encode(Self.conversation)
        #expect(example.trainedTokens == example.ids.count)
    }

    @Test func aConversationWithoutRepliesHasNothingToTrain() throws {
        var encoder = ChatEncoder(template: try Self.chatML.get(), tokenizer: try Self.tokenizer.get())
        let error = #expect(throws: ChatError.self) { try encoder.encode(Conversation(messages: [ChatMessage(role: "user", content: "hi")])) }
        #expect(error?.key == "no_assistant")
    }

    /// A template that moves the system prompt into the last user turn (as Mistral v3 does)
    /// renders earlier turns differently once later ones exist: no mask can be right.
    @Test func aTemplateThatMovesTextBetweenTurnsIsRefused() throws {
        let source = """
            {%- set system = messages | selectattr('role', 'eq', 'system') | map(attribute='content') | first | default('') %}
            {%- set users = messages | selectattr('role', 'eq', 'user') | list %}
            {%- for m in messages if m.role != 'system' %}
            {%- if m.role == 'user' %}[INST] {% if m is sameas users[-1] or m.content == users[-1].content %}{{ system }} {% endif %}{{ m.content }} [/INST]{% else %}{{ m.content }}</s>{% endif %}
            {%- endfor %}
            """
        var encoder = ChatEncoder(template: try ChatTemplate(source), tokenizer: try Self.tokenizer.get())
        let error = #expect(throws: ChatError.self) { try encoder.encode(Self.conversation) }
        #expect(error?.key == "not_prefix_stable")
        var last = ChatEncoder(template: try ChatTemplate(source), tokenizer: try Self.tokenizer.get(), target: .lastAssistant)
        #expect(Self.trainedText(try last.encode(Self.conversation), try Self.tokenizer.get()) == ["6</s>"])
    }

    @Test func templateRefusalsCarryTheirMessage() throws {
        var encoder = ChatEncoder(template: try ChatTemplate("{{ raise_exception('Roles must alternate') }}"), tokenizer: try Self.tokenizer.get())
        let error = #expect(throws: ChatError.self) { try encoder.encode(Self.conversation) }
        #expect(error?.key == "template_error")
        #expect(error?.message == "the chat template failed: TemplateError: Roles must alternate")
    }
}
