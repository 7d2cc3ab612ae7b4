import ArgumentParser
import Ingot

/// The tokenizer file: shared by `run`, `encode` and `inspect`.
struct TokenizerOptions: ParsableArguments {
    @Option(help: "A tokenizer.json, *.tiktoken, tekken_*.json or SentencePiece .model file (default: the bundled GPT-2 tokenizer).")
    var tokenizer: String?

    /// The tokenizer file to load: `--tokenizer`, else the bundled one.
    func path() throws -> String {
        if let path = self.tokenizer { return path }
        guard let bundled = BundledDefaults.locate(BundledDefaults.tokenizer) else {
            throw ValidationError("no --tokenizer given and the bundled tokenizer (\(BundledDefaults.tokenizer)) is not found")
        }
        return bundled
    }

    /// The tokenizer: the one preloaded while the command line was parsed when it is this
    /// file (``TokenizerPreload``), else loaded now.
    func load() async throws -> Tokenizer {
        let path = try self.path()
        if let preload = TokenizerPreload.current, preload.path == path { return try await preload.tokenizer() }
        return try Tokenizer.load(contentsOf: path)
    }
}

/// How special tokens are handled when text is encoded: shared by `run` and `encode`.
struct SpecialTokenOptions: ParsableArguments {
    @Flag(help: "Tokenize special-token strings in the text (<|endoftext|>) as plain text, as split_special_tokens=True.")
    var splitSpecialTokens = false

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Add what the tokenizer's post-processor adds (BOS for Llama and Mistral, [CLS]/[SEP]), as add_special_tokens=True.",
            discussion: "`run` adds them by default when the tokenizer's file has such a template (as HuggingFace's tok(text) does); `encode` does not unless asked, so its ids compare with encode(text, add_special_tokens=False)."))
    var addSpecialTokens: Bool?
}

/// Where documents come from and where their text is: the inputs of `run` and `slurm` (`encode`
/// reads stdin and has its own `--field`).
struct InputOptions: ParsableArguments {
    @Option(name: .shortAndLong, parsing: .upToNextOption, help: "Corpus files, directories or glob patterns (.jsonl, .jsonl.zst, .jsonl.gz, .txt, .parquet). Default: the bundled sample corpus.")
    var input: [String] = []

    @Option(help: "Only the files of this split, named as the HuggingFace Hub names them (data/train-00000-of-00004.parquet, train/0000.parquet, train.jsonl).")
    var split: String?

    @Option(help: "JSON key of the text; dots reach nested objects (meta.body), numbers index arrays (messages.0.content).")
    var field: String = "text"

    @Flag(help: "Split .txt files into documents at blank lines (default: one document per file).")
    var paragraphs = false

    func validate() throws {
        guard !self.field.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw ValidationError("--field '\(self.field)' has an empty key")
        }
    }
}
