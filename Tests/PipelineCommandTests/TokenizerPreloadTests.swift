import ArgumentParser
import Ingot
import IngotTestSupport
import Testing

@testable import pipeline

/// The tokenizer loaded while the command line is parsed: guessed from the raw arguments, and
/// taken by the command only when it names the same file.
@Suite struct TokenizerPreloadTests {
    static let gpt2 = TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path

    @Test func theFileIsGuessedFromRunAndEncodeLines() {
        #expect(TokenizerPreload.path(in: ["run", "pretrain", "--tokenizer", "/t/a.json", "--workers", "2"]) == "/t/a.json")
        #expect(TokenizerPreload.path(in: ["encode", "--tokenizer=/t/b.tiktoken"]) == "/t/b.tiktoken")
        // The parser keeps the last of a repeated option; so does the guess.
        #expect(TokenizerPreload.path(in: ["run", "pretrain", "--tokenizer", "/t/a.json", "--tokenizer", "/t/c.json"]) == "/t/c.json")
        // Operands after `--`, help, and commands that load no tokenizer are left alone.
        #expect(TokenizerPreload.path(in: ["encode", "--", "--tokenizer", "/t/a.json"]) != "/t/a.json")
        #expect(TokenizerPreload.path(in: ["run", "pretrain", "--tokenizer", "/t/a.json", "--help"]) == nil)
        #expect(TokenizerPreload.path(in: ["verify", "out", "--tokenizer", "/t/a.json"]) == nil)
        #expect(TokenizerPreload.path(in: []) == nil)
    }

    @Test func theCommandTakesThePreloadOnlyForTheSameFile() async throws {
        let preloaded = TokenizerPreload.path(in: ["run", "pretrain", "--tokenizer", Self.gpt2])
        #expect(preloaded == Self.gpt2)
        let missing = "/nonexistent/tokenizer.json"
        await TokenizerPreload.whileParsing(["run", "pretrain", "--tokenizer", Self.gpt2]) {
            #expect(TokenizerPreload.current?.path == Self.gpt2)
            // The same file: the preloaded tokenizer.
            let same = try? await TokenizerOptions.parse(["--tokenizer", Self.gpt2]).load()
            #expect(same?.vocabularySize == 50_257)
            // Another file: loaded by the command itself, so its own error.
            await #expect(throws: TokenizerError.self) { try await TokenizerOptions.parse(["--tokenizer", missing]).load() }
        }
        // A preload that fails reports the error loading it, as the command's own load would.
        await TokenizerPreload.whileParsing(["encode", "--tokenizer", missing]) {
            await #expect(throws: TokenizerError.self) { try await TokenizerOptions.parse(["--tokenizer", missing]).load() }
        }
    }
}
