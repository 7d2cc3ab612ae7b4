import Foundation
import IngotChat
import IngotJSON
import IngotTestSupport
import Testing

/// Chat templates as model repositories keep them.
@Suite struct ChatTemplateFileTests {
    static func write(_ files: [String: String]) throws -> URL {
        let dir = try TestPaths.makeTemporaryDirectory("chat-template")
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    static let conversation = Conversation(messages: [ChatMessage(role: "user", content: "hi")])

    @Test func tokenizerConfigGivesTemplateAndSpecialTokens() throws {
        let dir = try Self.write([
            "tokenizer_config.json": #"""
            {"chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}{{ eos_token }}|{{ pad_token }}|{{ additional_special_tokens | join(',') }}",
             "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false}, "eos_token": "</s>", "pad_token": null,
             "additional_special_tokens": ["<a>", {"content": "<b>"}]}
            """#
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = try ChatTemplate.load(contentsOf: dir.appendingPathComponent("tokenizer_config.json").path)
        #expect(try template.render(Self.conversation) == "<s>hi</s>||<a>,<b>")
        // Command-line variables win over the file's.
        let overridden = try ChatTemplate.load(contentsOf: dir.appendingPathComponent("tokenizer_config.json").path, variables: ["eos_token": .string("E")])
        #expect(try overridden.render(Self.conversation) == "<s>hiE||<a>,<b>")
    }

    @Test func namedTemplatesPickDefaultOrTheOneAskedFor() throws {
        let dir = try Self.write([
            "tokenizer_config.json": #"{"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}"#
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tokenizer_config.json").path
        #expect(try ChatTemplate.load(contentsOf: path).render(Self.conversation) == "D")
        #expect(try ChatTemplate.load(contentsOf: path, name: "tool_use").render(Self.conversation) == "T")
        let error = #expect(throws: ChatTemplateError.self) { try ChatTemplate.load(contentsOf: path, name: "rag") }
        #expect(error?.message == "no chat template named 'rag' (the file has: default, tool_use)")
    }

    @Test func aJinjaFileBesideTheTokenizerComesFirst() throws {
        let dir = try Self.write([
            "tokenizer.json": "{}", "chat_template.jinja": "{{ bos_token }}J\n",
            "tokenizer_config.json": #"{"chat_template": "C", "bos_token": "<s>"}"#,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = try ChatTemplate.load(besideTokenizer: dir.appendingPathComponent("tokenizer.json").path)
        // The template's final newline goes (keep_trailing_newline=False); the config's tokens apply.
        #expect(try template.render(Self.conversation) == "<s>J")
    }

    @Test func missingOrBrokenTemplatesAreNamed() throws {
        let dir = try Self.write(["tokenizer.json": "{}", "tokenizer_config.json": #"{"bos_token": "<s>"}"#, "bad.jinja": "{% if %}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = #expect(throws: ChatTemplateError.self) { try ChatTemplate.load(besideTokenizer: dir.appendingPathComponent("tokenizer.json").path) }
        #expect(none?.message == "the file has no chat_template")
        let broken = #expect(throws: ChatTemplateError.self) { try ChatTemplate.load(contentsOf: dir.appendingPathComponent("bad.jinja").path) }
        #expect(broken?.message.hasPrefix("the chat template does not compile: TemplateSyntaxError") == true)
        let empty = try TestPaths.makeTemporaryDirectory("no-template")
        defer { try? FileManager.default.removeItem(at: empty) }
        let absent = #expect(throws: ChatTemplateError.self) { try ChatTemplate.load(besideTokenizer: empty.appendingPathComponent("tokenizer.json").path) }
        #expect(absent?.message.contains("--chat-template") == true)
    }

    @Test func reasoningFieldsAreAliasedAsTransformersDoes() throws {
        let template = try ChatTemplate("{% for m in messages %}{{ m.keys() | list }}={{ m.thinking }}/{{ m.reasoning_content }};{% endfor %}")
        let message = try #require(ChatMessage(try JSONValue.parse(Array(#"{"role": "assistant", "reasoning": "r", "content": "c"}"#.utf8))))
        #expect(
            try template.render(Conversation(messages: [message, ChatMessage(role: "user", content: "u")]))
                == "['thinking', 'role', 'reasoning', 'content', 'reasoning_content']=r/r;['role', 'content']=/;")
    }
}
