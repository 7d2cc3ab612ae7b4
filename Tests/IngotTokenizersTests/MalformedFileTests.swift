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

    /// Tekken's `vocab` is read in place, as strictly as the tree was: entries without a rank or
    /// with a broken member are refused by entry, a syntax error by offset, a repeated rank by rank.
    @Test(arguments: [
        (#"{"rank": 0}"#, "vocab entry 0 lacks a rank or base64 token_bytes"),
        (#"{"rank": 0, "token_bytes": 7}"#, "vocab entry 0 lacks a rank or base64 token_bytes"),
        (#"{"rank": 0, "token_bytes": "QQ==", "token_str": tru}"#, "vocab is not valid JSON"),
        (#"{"rank": 0, "token_bytes": "QQ=="}, {"rank": 0, "token_bytes": "Qg=="}"#, "vocab rank 0 appears twice"),
        (#""QQ==""#, "vocab entry 0 is not an object"),
    ])
    func tekkenVocabEntriesAreChecked(_ entries: String, _ message: String) throws {
        // Tekken's own split pattern (one the loader has a scanner for), as JSON spells it.
        let pattern = #"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"#
        let json = #"{"config": {"pattern": ""# + pattern + #"", "default_vocab_size": 21, "default_num_special_tokens": 20}, "vocab": ["#
            + entries + "]}"
        let path = try self.write(Array(json.utf8), "tekken_small.json")
        do {
            _ = try Tokenizer.load(contentsOf: path)
            Issue.record("loaded \(entries)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    /// A top-level `vocab` is left out of the tree for Tekken files only: in any other file a
    /// syntax error there still refuses the file.
    @Test func aBrokenTopLevelVocabIsRefusedOutsideTekken() throws {
        let bundled = TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json")
        let json = String(decoding: try Data(contentsOf: bundled), as: UTF8.self)
        let withVocab = "{\"vocab\": [1, 2],\n" + json.drop { $0 != "{" }.dropFirst()
        let loaded = try Tokenizer.load(contentsOf: try self.write(Array(withVocab.utf8), "tokenizer.json"))
        #expect(loaded.encode("Hello world") == [15496, 995])
        let broken = "{\"vocab\": [1, 2,],\n" + json.drop { $0 != "{" }.dropFirst()
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: try self.write(Array(broken.utf8), "tokenizer.json")) }
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

    static func bpe(vocab: String, merges: String) -> String {
        """
        {"added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null,
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "vocab": \(vocab), "merges": \(merges)}}
        """
    }

    /// `vocab` and `merges` are read in place from the file's bytes, not from a tree: both
    /// spellings of a merge load alike, and every damage is named. The usual shapes are read in
    /// one pass, anything else by the general reader: an id written `4.0` or `4e0`, or
    /// whitespace anywhere, must load the same tables.
    @Test func bpeTablesLoadInEverySpelling() throws {
        let vocabs = [
            #"{"a": 0, "b": 1, "ab": 2, "\u00e9": 3, "ab\u00e9": 4, "\"": 5, "ab\"": 6}"#,
            #"{"a":0,"b":1,"ab":2,"é":3,"abé":4.0,"\"":5,"ab\"":6}"#,
            #" {\#n  "a" : 0 ,\#n\#t"b":1, "ab":2 ,"é":3, "ab\u00e9":4e0, "\u0022":5, "ab\"":6\#r\#n} "#,
        ]
        let mergeLists = [
            #"["a b", "ab \u00e9", "ab \""]"#, #"[["a", "b"], ["ab", "é"], ["ab", "\""]]"#, #" [ "a b" ,["ab","é"],"ab \u0022" ] "#,
        ]
        for vocab in vocabs {
            for merges in mergeLists {
                let path = try self.write(Array(Self.bpe(vocab: vocab, merges: merges).utf8), "bpe.json")
                let tokenizer = try Tokenizer.load(contentsOf: path)
                #expect(tokenizer.vocabularySize == 7)
                #expect(tokenizer.encode("abé") == [4], "\(vocab) \(merges)")
                #expect(tokenizer.encode("ab\"") == [6], "\(vocab) \(merges)")
                #expect(tokenizer.encode("ab") == [2])
            }
        }
    }

    @Test(arguments: [
        (#"{"a": 0, "b": 1, "ab": 2}"#, #"["a c"]"#, "merge 0 'a c' refers to tokens not in the vocabulary"),
        (#"{"a": 0, "b": 1, "ab": 2}"#, #"["a b", "ab"]"#, "merge 1 'ab' is not two tokens"),
        (#"{"a": 0, "b": 1, "ab": 2}"#, #"[["a", "b", "ab"]]"#, "merge 0 is neither"),
        (#"{"a": 0, "b": 1, "ab": 2}"#, #"[7]"#, "merge 0 is neither"),
        (#"{"a": 0, "b": "one"}"#, #"[]"#, "vocabulary entry 'b' has an invalid id"),
        (#"{"a": 0, "b": 1.5}"#, #"[]"#, "vocabulary entry 'b' has an invalid id"),
        (#"{"a": 0, "b": -1}"#, #"[]"#, "implausible"),
        (#"{"a": 0, "b": 01}"#, #"[]"#, "not valid JSON"),
        (#"{"a": 0, "b": 1}"#, #"["a b",]"#, "merge 1 is neither"),
        (#"{"a": 0, "b": 1}"#, #"["a \q"]"#, "not valid JSON"),
        (#"{"a": 0, "b": 1,}"#, #"[]"#, "not valid JSON"),
        (#"["a", "b"]"#, #"[]"#, "model.vocab is not an object"),
        (#"{"a": 0}"#, #"{"a": "b"}"#, "model.merges is not an array"),
        (#"{"a": 0, "b": 9999999999}"#, #"[]"#, "implausible"),
    ])
    func damagedBPETablesAreNamed(_ vocab: String, _ merges: String, _ message: String) throws {
        let path = try self.write(Array(Self.bpe(vocab: vocab, merges: merges).utf8), "bpe.json")
        do {
            _ = try Tokenizer.load(contentsOf: path)
            Issue.record("loaded \(vocab) \(merges)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.path == path)
        }
    }

    @Test func invalidUTF8InAVocabularyIsRefused() throws {
        var bytes = Array(Self.bpe(vocab: #"{"a": 0, "bX": 1}"#, merges: "[]").utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        let path = try self.write(bytes, "bpe.json")
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: path) }
    }

    /// A byte-level merge naming an unknown token is shown as the file writes it.
    @Test func unknownByteLevelMergeIsShownAsWritten() throws {
        let bundled = TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json")
        let json = String(decoding: try Data(contentsOf: bundled), as: UTF8.self)
        let damaged = json.replacingOccurrences(of: #""Ġ a","#, with: #""Ġ aĠaĠaĠ","#)
        #expect(damaged != json)
        let path = try self.write(Array(damaged.utf8), "tokenizer.json")
        do {
            _ = try Tokenizer.load(contentsOf: path)
            Issue.record("loaded a merge of unknown tokens")
        } catch {
            #expect(error.description.contains("merge 1 'Ġ aĠaĠaĠ' refers to tokens not in the vocabulary"), "\(error)")
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
