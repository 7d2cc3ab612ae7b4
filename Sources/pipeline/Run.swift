import ArgumentParser
import Foundation
import Ingot
import Logging
import Pipelines

extension PipelineCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline over a corpus and publish shards plus index.json.",
            discussion: """
                With only a pipeline name, runs on the bundled sample corpus and GPT-2 tokenizer and \
                writes to shards/NAME (replacing an earlier demo run).
                """
        )

        @Argument(help: "The pipeline to run (see `pipeline list`).")
        var pipeline: String

        @Option(name: .shortAndLong, parsing: .upToNextOption, help: "Corpus files, directories or glob patterns (.jsonl, .jsonl.zst, .jsonl.gz, .txt).")
        var input: [String] = []

        @Option(name: .shortAndLong, help: "Output directory (default: shards/NAME).")
        var output: String?

        @Option(help: "A HuggingFace tokenizer.json (default: the bundled GPT-2 tokenizer).")
        var tokenizer: String?

        @Option(help: "Tokens per row (for finetune: the max_length). Default: the pipeline's.")
        var seqLen: Int?

        @Option(help: "Parallel workers (default: every core).")
        var workers: Int?

        @Option(help: "What to do with bad input: stop (with file:line: reason) or skip (counted).")
        var onError: String = "stop"

        @Option(help: "Packing strategy for packing pipelines: best-fit or greedy.")
        var pack: String = "best-fit"

        @Option(help: "Best-fit packing window: documents considered together (and most rows kept open).")
        var window: Int = 2048

        @Flag(help: "Greedy packing: drop each partition's final partial row instead of padding it.")
        var dropLast = false

        @Flag(help: "One segment id for all real tokens of a row (plain concatenation, no document boundaries).")
        var noDocumentBoundaries = false

        @Option(help: "Padding pipelines: cut long examples at the 'right' (keep the start) or 'left'.")
        var truncationSide: String = "right"

        @Option(help: "Padding pipelines: pad at the 'right' or 'left'.")
        var paddingSide: String = "right"

        @Option(help: "Token id for padding (default: the tokenizer's pad token, else its EOS token).")
        var padID: UInt32?

        @Option(help: "JSON key of the text; dots reach nested objects (meta.body).")
        var field: String = "text"

        @Flag(help: "Split .txt files into documents at blank lines (default: one document per file).")
        var paragraphs = false

        @Option(help: "Shard compression: zstd, zstd:LEVEL (1-22) or none.")
        var compression: String = "zstd"

        @Option(help: "Target input bytes per partition. Partitions are fixed by the input, never by --workers.")
        var partitionMB: Int = 32

        @Flag(help: "Tokenize special-token strings in the text (<|endoftext|>) as plain text.")
        var splitSpecialTokens = false

        @Flag(help: "Replace a dataset already in the output directory.")
        var overwrite = false

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel: String = "warning"

        func validate() throws {
            guard PipelineRegistry.named(self.pipeline) != nil else {
                let known = PipelineRegistry.all.map { $0.name }.joined(separator: ", ")
                throw ValidationError("unknown pipeline '\(self.pipeline)' (known: \(known))")
            }
            guard ErrorPolicy(self.onError) != nil else { throw ValidationError("--on-error must be 'stop' or 'skip'") }
            guard Pack.Strategy(self.pack) != nil else { throw ValidationError("--pack must be 'best-fit' or 'greedy'") }
            guard self.window > 0 else { throw ValidationError("--window must be positive") }
            guard Pad.Side(self.truncationSide) != nil, Pad.Side(self.paddingSide) != nil else {
                throw ValidationError("--truncation-side and --padding-side must be 'left' or 'right'")
            }
            guard ShardSchema.Compression(self.compression) != nil else {
                throw ValidationError("--compression must be 'zstd', 'zstd:LEVEL' (1-22) or 'none'")
            }
            if let seqLen = self.seqLen, seqLen <= 0 { throw ValidationError("--seq-len must be positive") }
            if let workers = self.workers, workers <= 0 { throw ValidationError("--workers must be positive") }
            guard self.partitionMB > 0 else { throw ValidationError("--partition-mb must be positive") }
            guard Logger.Level(rawValue: self.logLevel) != nil else { throw ValidationError("unknown --log-level '\(self.logLevel)'") }
        }

        func run() async throws {
            let level = Logger.Level(rawValue: self.logLevel)!
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let definition = PipelineRegistry.named(self.pipeline)!
            do {
                try await self.run(definition)
            } catch let error as IngotError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            } catch let error as TokenizerError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            } catch let interrupted as Interrupted {
                FileHandle.standardError.write(Data("\ninterrupted (signal \(interrupted.signal)): no index was written\n".utf8))
                throw ExitCode(128 + interrupted.signal)
            }
        }

        private func run(_ definition: any PipelineDefinition.Type) async throws {
            let bundledInput = self.input.isEmpty
            var inputs = self.input
            if bundledInput {
                guard let sample = BundledDefaults.locate(BundledDefaults.corpus) else {
                    throw ValidationError("no --input given and the bundled sample corpus (\(BundledDefaults.corpus)) is not found")
                }
                inputs = [sample]
            }
            let tokenizerPath: String
            if let path = self.tokenizer {
                tokenizerPath = path
            } else if let bundled = BundledDefaults.locate(BundledDefaults.tokenizer) {
                tokenizerPath = bundled
            } else {
                throw ValidationError("no --tokenizer given and the bundled tokenizer (\(BundledDefaults.tokenizer)) is not found")
            }
            let output = self.output ?? "shards/\(definition.name)"

            let tokenizer = try Tokenizer.load(contentsOf: tokenizerPath)
            if let padID = self.padID, Int(padID) >= tokenizer.vocabularySize {
                throw ValidationError("--pad-id \(padID) is outside the vocabulary (size \(tokenizer.vocabularySize))")
            }
            let environment = PipelineEnvironment(
                tokenizer: tokenizer,
                seqLen: self.seqLen ?? definition.defaultSeqLen,
                textField: self.field,
                textSplitting: self.paragraphs ? .blankLines : .wholeFile,
                packing: self.pack == "greedy" ? .greedy : .bestFit(window: self.window),
                documentBoundaries: !self.noDocumentBoundaries,
                dropLastPartialRow: self.dropLast,
                truncationSide: Pad.Side(self.truncationSide)!,
                paddingSide: Pad.Side(self.paddingSide)!,
                compression: ShardSchema.Compression(self.compression)!,
                splitSpecialTokens: self.splitSpecialTokens,
                padTokenID: self.padID)
            let runner = PipelineRunner(
                configuration: .init(
                    inputs: inputs,
                    output: output,
                    workers: self.workers,
                    errorPolicy: ErrorPolicy(self.onError)!,
                    partitionBytes: self.partitionMB << 20,
                    // The demo's default output is replaced on every run; an explicit one needs --overwrite.
                    overwrite: self.overwrite || self.output == nil),
                logger: Logger(label: "ingot"))
            let progress = ProgressPrinter()
            let report = try await withInterruptHandling {
                try await definition.run(with: runner, environment: environment, progress: progress)
            }
            progress.finish()
            print("\(definition.name): \(bundledInput ? "bundled sample corpus" : "\(inputs.count) input(s)"), tokenizer \(tokenizer.path)")
            print(SummaryTable.render(report, output: output))
        }
    }
}
