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

    @Test func unknownTiktokenEncodingIsRefusedByName() throws {
        let dir = try TestPaths.makeTemporaryDirectory("tiktoken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mystery.tiktoken")
        try Data("IQ== 0\n".utf8).write(to: file)
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: file.path) }
    }
}
