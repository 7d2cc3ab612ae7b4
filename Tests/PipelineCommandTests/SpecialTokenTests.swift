import Foundation
import IngotTestSupport
import Testing

/// Special tokens as HuggingFace's `tok(text)` adds them: `run` uses the tokenizer file's own
/// post-processor by default (Mistral: BOS), `--no-add-special-tokens` turns it off, the EOS
/// `pretrain`/`finetune` append is not doubled where the template already ends with it (T5), and
/// `--keep-eos` ends a cut example with EOS again.
@Suite(.requiresSharedFixtures) struct SpecialTokenTests {
    /// The rows of an uncompressed dataset whose ids are uint16.
    static func rows(_ arguments: [String], seqLen: Int) throws -> [[UInt16]] {
        let dir = try TestPaths.makeTemporaryDirectory("special-tokens")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try PipelineCommandTests.pipeline(
            ["run", "finetune", "--seq-len", String(seqLen), "--compression", "none", "--output", dir.path] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        var rows: [[UInt16]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".input_ids.bin") {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let ids = data.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }.map { UInt16(littleEndian: $0) }
            rows += stride(from: 0, to: ids.count, by: seqLen).map { Array(ids[$0..<$0 + seqLen]) }
        }
        return rows
    }

    static func tokenizer(_ name: String) -> String {
        TestPaths.shared.appendingPathComponent("tokenizers/\(name)/tokenizer.json").path
    }

    @Test func mistralRowsStartWithBOSUnlessTurnedOff() throws {
        let withBOS = try Self.rows(["--tokenizer", Self.tokenizer("mistral-7b-v0.1")], seqLen: 32)
        #expect(withBOS.count == 410 && withBOS.allSatisfy { $0.first == 1 })
        let without = try Self.rows(["--tokenizer", Self.tokenizer("mistral-7b-v0.1"), "--no-add-special-tokens"], seqLen: 32)
        #expect(without.count == 410 && without.allSatisfy { $0.first != 1 })
    }

    @Test func keepEOSEndsCutExamplesWithEOS() throws {
        let cut = try Self.rows(["--tokenizer", Self.tokenizer("mistral-7b-v0.1")], seqLen: 32)
        #expect(cut.filter { $0.last != 2 }.count > 300, "most sample documents are longer than 32 tokens")
        let kept = try Self.rows(["--tokenizer", Self.tokenizer("mistral-7b-v0.1"), "--keep-eos"], seqLen: 32)
        #expect(kept.allSatisfy { $0.first == 1 && $0.last == 2 })
        #expect(zip(cut, kept).allSatisfy { $0.dropLast() == $1.dropLast() })
    }

    @Test func t5EndsEveryExampleWithOneEOS() throws {
        // T5's template already ends a text with </s> (id 1): finetune's EOS is not added again.
        let rows = try Self.rows(["--tokenizer", Self.tokenizer("t5-small")], seqLen: 4096)
        let whole = rows.map { $0.prefix { $0 != 0 } }.filter { $0.count < 4096 }  // T5 pads with 0; not cut
        #expect(whole.count > 300)
        for real in whole {
            #expect(real.last == 1 && real.dropLast().last != 1)
        }
    }

    /// The EOS finetune appends is not taken for the template's: a Mistral text that itself ends
    /// with the `</s>` string still gets its EOS (the template adds BOS only).
    @Test func aTextEndingWithEOSStillGetsTheAppendedOne() throws {
        let dir = try TestPaths.makeTemporaryDirectory("special-tokens-eos")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Fixtures.writeLines([#"{"text": "Hello there</s>"}"#], to: "eos.jsonl", in: dir)
        let rows = try Self.rows(
            ["--tokenizer", Self.tokenizer("mistral-7b-v0.1"), "--input", corpus.path, "--pad-id", "0"], seqLen: 16)
        let real = Array(try #require(rows.first).prefix { $0 != 0 })  // padded with <unk> here, not with EOS
        #expect(real.first == 1 && real.suffix(2) == [2, 2], "\(real)")
    }
}
