import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

/// Damaged tokenizer files are load errors naming the file, never crashes or silent defaults.
@Suite final class MalformedFileTests {
    let directory: URL

    // One directory per test (Swift Testing makes a fresh suite instance for each), removed after.
    init() throws { self.directory = try TestPaths.makeTemporaryDirectory("malformed") }
    deinit { try? FileManager.default.removeItem(at: self.directory) }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = self.directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func shared(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/\(path)")))
    }

    @Test(.requiresSharedFixtures, arguments: [1, 100, 5_000, 250_000])
    func truncatedSentencePieceModelsAreRefused(_ length: Int) throws {
        let path = try self.write(Array(try Self.shared("llama2-7b/tokenizer.model").prefix(length)), "cut.model")
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: path) }
    }

    @Test func garbageAfterAProtobufTagIsRefused() throws {
        let path = try self.write([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "garbage.model")
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: path) }
    }

    @Test(.requiresSharedFixtures) func corruptTekkenRanksAreRefused() throws {
        var text = String(decoding: try Self.shared("mistral-nemo-tekken/tekken_240718.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""token_bytes": "AA==""#, with: #""token_bytes": "A!==""#)
        let path = try self.write(Array(text.utf8), "tekken_bad.json")
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: path) }
    }

    @Test func unsupportedComponentsAreNamed() throws {
        let bundled = TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json")
        var json = String(decoding: try Data(contentsOf: bundled), as: UTF8.self)
        json = json.replacingOccurrences(of: #""normalizer":null"#, with: #""normalizer":{"type":"ByteLevel"}"#)
        json = json.replacingOccurrences(of: #""normalizer": null"#, with: #""normalizer": {"type": "ByteLevel"}"#)
        let path = try self.write(Array(json.utf8), "tokenizer.json")
        do {
            _ = try Tokenizer.load(contentsOf: path)
            Issue.record("loaded a tokenizer with an unsupported normalizer")
        } catch {
            #expect(error.description.contains("ByteLevel"))
            #expect(error.path == path)
        }
    }

    /// A single absurd id would size the id table from one number (found by the fuzzer: a
    /// WordPiece vocabulary entry with id 1,555,555,506 asked for 12 GB): refused with a message.
    @Test(arguments: [
        (#""vocab": {"a": 0, "[UNK]": 1}"#, #""vocab": {"a": 0, "[UNK]": 1555555506}"#),
        (#""vocab": {"a": 0, "[UNK]": 1}"#, #""vocab": {"a": 0, "[UNK]": 2147483648}"#),
    ])
    func implausibleIdsAreRefused(_ original: String, _ damaged: String) throws {
        let json = """
            {"added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
             "decoder": null, "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
             "max_input_chars_per_word": 100, \(original)}}
            """
        let good = try self.write(Array(json.utf8), "tokenizer.json")
        #expect(try Tokenizer.load(contentsOf: good).vocabularySize == 2)
        let bad = try self.write(Array(json.replacingOccurrences(of: original, with: damaged).utf8), "damaged.json")
        do {
            _ = try Tokenizer.load(contentsOf: bad)
            Issue.record("loaded a vocabulary with an implausible id")
        } catch {
            #expect(error.description.contains("implausible"), "\(error)")
        }
        let ranks = try self.write(Array((0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }.joined().utf8) + Array("YWI= 900000000\n".utf8), "r50k_base.tiktoken")
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: ranks) }
    }

    @Test func unknownTiktokenEncodingIsRefusedByName() throws {
        let dir = try TestPaths.makeTemporaryDirectory("tiktoken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mystery.tiktoken")
        try Data("IQ== 0\n".utf8).write(to: file)
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: file.path) }
    }
}
