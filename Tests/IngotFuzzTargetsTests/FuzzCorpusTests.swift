import Foundation
import Ingot
import IngotFuzzTargets
import IngotTestSupport
import Testing

/// Every input kept for the fuzzers (the seeds, and each input that once found a bug) goes
/// through its target in the test suite: a regression is a crash here, not only under the fuzzer.
@Suite struct FuzzCorpusTests {
    static let corpus = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/corpus")

    @Test(arguments: FuzzTargets.all.keys.sorted())
    func keptInputsPassTheirTarget(_ target: String) throws {
        let directory = Self.corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(!names.isEmpty, "no inputs kept for \(target)")
        let run = try #require(FuzzTargets.all[target])
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            bytes.withUnsafeBytes { run($0) }
        }
    }
}

/// The seeds are valid inputs, so the fuzzers start from the paths that matter (a seed every
/// loader refuses would only ever fuzz the refusal).
@Suite struct FuzzSeedTests {
    @Test(arguments: [
        ("tokenizer-json", "bpe.json", "tokenizer.json"), ("tokenizer-json", "wordpiece.json", "tokenizer.json"),
        ("tokenizer-json", "unigram.json", "tokenizer.json"), ("tiktoken", "r50k_base.tiktoken", "r50k_base.tiktoken"),
        ("tekken", "tekken_fuzz.json", "tekken_fuzz.json"), ("sentencepiece", "bpe.model", "fuzz.model"),
        ("sentencepiece", "unigram.model", "fuzz.model"),
    ])
    func tokenizerSeedsLoad(_ target: String, _ seed: String, _ name: String) throws {
        let dir = try TestPaths.makeTemporaryDirectory("seed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: FuzzCorpusTests.corpus.appendingPathComponent("\(target)/\(seed)"), to: path)
        let tokenizer = try Tokenizer.load(contentsOf: path.path)
        #expect(!tokenizer.encode("the quick brown fox").isEmpty)
    }

    @Test func indexSeedDecodes() throws {
        let bytes = [UInt8](try Data(contentsOf: FuzzCorpusTests.corpus.appendingPathComponent("index/valid.json")))
        let index = try DatasetIndex.decode(bytes, path: "valid.json")
        #expect(index.totalRows == 5)
    }
}
