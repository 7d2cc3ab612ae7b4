import Foundation
import IngotTestSupport
import Testing

/// `pipeline run sft` and `pipeline render` as a user runs them, on the bundled sample chat data
/// and the bundled GPT-2 tokenizer's ChatML template.
@Suite struct ChatCommandTests {
    static func pipeline(_ arguments: [String], stdin: String? = nil) throws -> SubprocessResult {
        try Subprocess.run(PipelineCommandTests.executable, arguments, currentDirectory: TestPaths.packageRoot, stdin: stdin.map { Data($0.utf8) })
    }

    static func index(_ output: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/index.json"))) as! [String: Any]
    }

    @Test func sftRunsOnTheBundledSampleWithALossMask() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cli-sft")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out").path
        let result = try Self.pipeline(["run", "sft", "--seq-len", "512", "--output", output, "--workers", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sft: bundled sample Samples/chat/conversations.jsonl"), "\(result.stdout)")
        #expect(result.stdout.contains("rows                205 x 512 tokens"), "\(result.stdout)")
        let index = try Self.index(output)
        #expect((index["columns"] as? [String: Any])?["loss_mask"] != nil)
        let counters = (index["statistics"] as! [String: Any])["counters"] as! [String: Int]
        #expect(counters["trained_tokens"]! > 10_000)
        let options = (index["pipeline"] as! [String: Any])["options"] as! [String: String]
        #expect(options["train_on"] == "assistant" && options["conversation_format"] == "auto")
        // Packed, the same examples fill fewer rows, with the same tokens trained on.
        let packed = dir.appendingPathComponent("packed").path
        let packing = try Self.pipeline(["run", "sft", "--seq-len", "512", "--pack", "--output", packed])
        #expect(packing.status == 0, "\(packing.stderr)")
        let packedIndex = try Self.index(packed)
        #expect((packedIndex["total_rows"] as! Int) < 205)
        #expect(((packedIndex["statistics"] as! [String: Any])["counters"] as! [String: Int])["trained_tokens"]! >= counters["trained_tokens"]!)
    }

    @Test func badConversationsNameFileAndLineOrAreCounted() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cli-sft-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Fixtures.writeLines(
            [
                #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}"#,
                #"{"messages": [{"role": "user", "content": 7}]}"#, #"{"text": "not a conversation"}"#,
                #"{"messages": [{"role": "user", "content": "only a question"}]}"#,
            ], to: "chat.jsonl", in: dir)
        let output = dir.appendingPathComponent("out").path
        let stopped = try Self.pipeline(["run", "sft", "--input", corpus.path, "--output", output, "--seq-len", "64"])
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("\(corpus.path):2: field 'messages.0.content' is a number"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output + "/index.json"))

        let skipped = try Self.pipeline(["run", "sft", "--input", corpus.path, "--output", output, "--seq-len", "64", "--on-error", "skip"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("malformed_conversation: 1") && skipped.stdout.contains("unknown_conversation_format: 1"), "\(skipped.stdout)")
        #expect(skipped.stdout.contains("no_assistant: 1"), "\(skipped.stdout)")
        #expect(skipped.stdout.contains("documents written   1"), "\(skipped.stdout)")
    }

    @Test func examplesCutBeforeTheirReplyAreCountedOrDropped() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cli-sft-cut")
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = String(repeating: "word ", count: 200)
        let corpus = try Fixtures.writeLines(
            [
                #"{"messages": [{"role": "user", "content": "\#(long)"}, {"role": "assistant", "content": "late"}]}"#,
                #"{"messages": [{"role": "user", "content": "short"}, {"role": "assistant", "content": "early"}]}"#,
            ], to: "chat.jsonl", in: dir)
        let kept = dir.appendingPathComponent("kept").path
        let keeping = try Self.pipeline(["run", "sft", "--input", corpus.path, "--output", kept, "--seq-len", "64"])
        #expect(keeping.status == 0, "\(keeping.stderr)")
        #expect(keeping.stdout.contains("untrained examples  1"), "\(keeping.stdout)")
        let keptIndex = try Self.index(kept)
        #expect(keptIndex["total_rows"] as? Int == 2)
        let counters = (keptIndex["statistics"] as! [String: Any])["counters"] as! [String: Int]
        #expect(counters["examples"] == 2 && counters["truncated_examples"] == 1 && counters["untrained_examples"] == 1, "\(counters)")
        let dropped = dir.appendingPathComponent("dropped").path
        let dropping = try Self.pipeline(["run", "sft", "--input", corpus.path, "--output", dropped, "--seq-len", "64", "--drop-untrained"])
        #expect(dropping.status == 0, "\(dropping.stderr)")
        #expect(try Self.index(dropped)["total_rows"] as? Int == 1)
        #expect(dropping.stdout.contains("no_trained_tokens: 1"), "\(dropping.stdout)")
        // Cutting the start instead keeps the reply.
        let left = dir.appendingPathComponent("left").path
        let leftCut = try Self.pipeline(["run", "sft", "--input", corpus.path, "--output", left, "--seq-len", "64", "--truncation-side", "left"])
        #expect(leftCut.stdout.contains("untrained examples  0"), "\(leftCut.stdout)")
    }

    @Test func renderPrintsOneLinePerConversationAndGoesOnPastErrors() throws {
        let conversation = #"{"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}"#
        let text = try Self.pipeline(["render"], stdin: conversation + "\n")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == #"{"text": "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"}"# + "\n")
        let prompt = try Self.pipeline(["render", "--add-generation-prompt"], stdin: conversation + "\n")
        #expect(prompt.stdout.hasSuffix(#"<|im_start|>assistant\n"}"# + "\n"), "\(prompt.stdout)")
        // A malformed line and a template's refusal each get an error line; blank lines none.
        let dir = try TestPaths.makeTemporaryDirectory("cli-render")
        defer { try? FileManager.default.removeItem(at: dir) }
        let strict = dir.appendingPathComponent("strict.jinja")
        try #"{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user turn') }}{% endif %}{{ messages | length }}"#
            .write(to: strict, atomically: true, encoding: .utf8)
        let system = #"{"messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "hi"}]}"#
        let mixed = try Self.pipeline(["render", "--chat-template", strict.path], stdin: [conversation, "{\"messages\": 1}", "", system, conversation].joined(separator: "\n"))
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let lines = mixed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(mixed.stdout)")
        #expect(lines.first == #"{"text": "2"}"# && lines.last == #"{"text": "2"}"#)
        #expect(lines[1].hasPrefix(#"{"error": "<stdin>:2: "#), "\(lines)")
        #expect(lines[2] == #"{"error": "TemplateError: Conversations must start with a user turn"}"#, "\(lines)")
    }

    @Test func encodeWithAChatTemplatePrintsIdsAndTheLossMask() throws {
        let conversation = #"{"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}"#
        let template = TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/chat_template.jinja").path
        let encoded = try Self.pipeline(["encode", "--chat-template", template], stdin: conversation + "\n" + #"{"messages": []}"# + "\n")
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let lines = encoded.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        let mask = try #require(lines[0]?["loss_mask"] as? [Int])
        #expect((lines[0]?["ids"] as? [Int])?.count == mask.count)
        // "4", then "<|im_end|>" (7 GPT-2 tokens: not a token of its vocabulary) and "\n".
        #expect(mask.suffix(9) == [1, 1, 1, 1, 1, 1, 1, 1, 1] && mask.dropLast(9).allSatisfy { $0 == 0 })
        #expect((lines[1]?["error"] as? String)?.hasPrefix("<stdin>:2: ") == true, "\(encoded.stdout)")
        // The same with the template beside the tokenizer, and texts as before without one.
        let beside = try Self.pipeline(["encode", "--chat-mode"], stdin: conversation + "\n")
        #expect(beside.stdout == encoded.stdout.split(separator: "\n")[0] + "\n")
        let plain = try Self.pipeline(["encode"], stdin: #"{"text": "Hello world"}"# + "\n")
        #expect(plain.stdout == #"{"ids": [15496, 995]}"# + "\n")
    }
}
