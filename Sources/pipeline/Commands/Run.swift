import ArgumentParser
import Foundation
import Ingot
import Logging
import Pipelines

extension PipelineCommand {
    /// `pipeline run NAME ...`: one subcommand per pipeline declared in `Pipelines/`, each with
    /// the shared options and its own.
    struct Run: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "run",
                abstract: "Run a pipeline over a corpus and publish shards plus index.json.",
                discussion: """
                    With only a pipeline name, runs on the bundled sample corpus and GPT-2 tokenizer and \
                    writes to shards/NAME (replacing an earlier demo run). `pipeline run NAME --help` \
                    lists the pipeline's own options.
                    """,
                subcommands: PipelineRegistry.all.map { runCommand(for: $0) })
        }

        /// A clearer refusal than "unexpected argument" for `pipeline run NAME` (or `slurm NAME`)
        /// when no pipeline has that name.
        static func checkPipelineName(in arguments: [String], command: String) -> ValidationError? {
            guard arguments.count >= 2, arguments[0] == command, !arguments[1].hasPrefix("-"),
                PipelineRegistry.named(arguments[1]) == nil, arguments[1] != "help"
            else { return nil }
            let known = PipelineRegistry.all.map { $0.name }.joined(separator: ", ")
            return ValidationError("unknown pipeline '\(arguments[1])' (known: \(known))")
        }
    }
}

/// The `pipeline run NAME` command of a pipeline.
private func runCommand<P: PipelineDefinition>(for pipeline: P.Type) -> any AsyncParsableCommand.Type {
    RunPipeline<P>.self
}

/// `pipeline run NAME`: the shared options, then the pipeline's own (its properties).
struct RunPipeline<Pipeline: PipelineDefinition>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Pipeline.name,
            abstract: Pipeline.abstract,
            discussion: "Rows of \(Pipeline.defaultSeqLen) tokens unless --seq-len says otherwise.")
    }

    @OptionGroup(title: "Input")
    var input: InputOptions

    @OptionGroup(title: "Tokenizer")
    var tokenizer: TokenizerOptions

    @OptionGroup(title: "Special tokens")
    var specialTokens: SpecialTokenOptions

    @OptionGroup(title: "Output and run")
    var options: RunOptions

    @OptionGroup(title: "Options of this pipeline")
    var pipeline: Pipeline

    func run() async throws {
        let level = self.options.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try await exitingOnError { try await self.runPipeline() }
    }

    private func runPipeline() async throws {
        let (runner, environment, source) = try await self.prepare()
        let progress = ProgressPrinter()
        let pipeline = self.pipeline
        let report = try await withInterruptHandling {
            try await runner.run(pipeline, environment: environment, progress: progress)
        }
        progress.finish()
        print("\(Pipeline.name): \(source), tokenizer \(environment.tokenizer.path)")
        if let task = report.task {
            print("\(task): its share is \(report.partitions) of the run's partitions; `pipeline finalize \(runner.configuration.output)` publishes the dataset once every task is done")
        }
        print(SummaryTable.render(report, output: runner.configuration.output))
        // Done: exit now rather than free the tokenizer's tables and caches one by one on the
        // way out (5-15 ms at the end of every run; the kernel takes the memory back at once).
        fflush(nil)  // every C stream: `print` buffers stdout
        Foundation.exit(EXIT_SUCCESS)
    }

    /// The runner and environment these arguments describe, and the input in words.
    func prepare() async throws -> (PipelineRunner, PipelineEnvironment, source: String) {
        let bundledInput = self.input.input.isEmpty
        var inputs = self.input.input
        if bundledInput {
            guard let sample = BundledDefaults.locate(Pipeline.sampleInput) else {
                throw ValidationError("no --input given and the bundled sample (\(Pipeline.sampleInput)) is not found")
            }
            inputs = [sample]
        }
        let output = self.options.output ?? "shards/\(Pipeline.name)"
        let tokenizer = try await self.tokenizer.load()
        if let padID = self.options.padID, Int(padID) >= tokenizer.vocabularySize {
            throw ValidationError("--pad-id \(padID) is outside the vocabulary (size \(tokenizer.vocabularySize))")
        }
        let environment = PipelineEnvironment(
            tokenizer: tokenizer,
            seqLen: self.options.seqLen ?? Pipeline.defaultSeqLen,
            textField: self.input.field,
            splitSpecialTokens: self.specialTokens.splitSpecialTokens,
            // As HuggingFace's tok(text): the tokenizer's own special tokens (Llama's and Mistral's
            // BOS), unless --no-add-special-tokens.
            addSpecialTokens: self.specialTokens.addSpecialTokens ?? tokenizer.hasSpecialTokenTemplate,
            padTokenID: self.options.padID,
            compression: self.options.compression,
            rowsPerShard: self.options.rowsPerShard,
            rowsPerFrame: self.options.rowsPerFrame)
        let runner = PipelineRunner(
            configuration: .init(
                inputs: inputs,
                output: output,
                workers: self.options.workers,
                errorPolicy: self.options.onError,
                partitionBytes: self.options.partitionMB << 20,
                reading: ReadOptions(textSplitting: self.input.paragraphs ? .blankLines : .wholeFile),
                // The demo's default output is replaced on every run; an explicit one needs --overwrite.
                mode: self.options.resume ? .resume : self.options.overwrite || self.options.output == nil ? .overwrite : .create,
                task: self.options.task,
                split: self.input.split),
            logger: Logger(label: "ingot"))
        return (runner, environment, bundledInput ? "bundled sample \(inputs[0])" : "\(inputs.count) input(s)")
    }
}
