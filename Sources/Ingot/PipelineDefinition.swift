public import ArgumentParser

/// A named pipeline, declared in Swift in the `Pipelines/` folder.
///
/// A pipeline is a set of options and a body. The options are ordinary swift-argument-parser
/// properties: `pipeline run NAME --help` shows them, the command line sets and validates them,
/// and the body reads them. The body builds the chain of stages; its type proves the pipeline
/// ends in fixed-length rows (``WriteShards`` accepts only ``Row``, and only padding and packing
/// stages make rows).
///
///     struct Pretrain: PipelineDefinition {
///         static let name = "pretrain"
///         static let abstract = "Tokenize, append EOS, pack into seq_len rows."
///
///         @Option(help: "Packing strategy: best-fit or greedy.")
///         var pack: Pack.Strategy.Kind = .bestFit
///
///         func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
///             ReadCorpus(field: run.textField)
///             try Tokenize(run.tokenizer, appendEOS: true)
///             Pack(seqLen: run.seqLen, padID: run.padTokenID, strategy: self.pack.strategy())
///             WriteShards(schema: run.schema)
///         }
///     }
///
/// The runner calls `body` once per partition of the input, inside the worker that processes
/// it, so each partition gets fresh stages that may own per-worker resources. What the stages
/// describe (``Stage/describe(_:)``) is what the index records: only this pipeline's options.
///
/// From Swift, make a pipeline with its defaults, or with options, by parsing:
/// `try Pretrain.parse(["--pack", "greedy"])`.
public protocol PipelineDefinition: ParsableArguments, Sendable {
    associatedtype Body: Stage<CorpusChunk, ShardFrame>

    /// The name `pipeline run NAME` uses.
    static var name: String { get }
    /// One line for `pipeline list`.
    static var abstract: String { get }
    /// The row length when `--seq-len` is not given.
    static var defaultSeqLen: Int { get }
    /// The input formats this pipeline reads (by default JSON Lines and plain text).
    static var inputFormats: InputFormats { get }
    /// The bundled sample `pipeline run NAME` reads when no input is given, relative to the
    /// package root (by default the sample text corpus).
    static var sampleInput: String { get }

    /// Builds the chain of stages for one partition.
    @StageBuilder func body(_ run: PipelineEnvironment) throws -> Body
}

extension PipelineDefinition {
    public static var defaultSeqLen: Int { 2048 }
    public static var inputFormats: InputFormats { .builtIn }
    public static var sampleInput: String { "Samples/corpus/sample-en.jsonl" }

    /// The pipeline with every option at its default.
    public static var defaults: Self {
        get throws { try Self.parse([]) }
    }
}

extension PipelineDefinition {
    /// Runs this pipeline: the bridge from a registry's `any PipelineDefinition` to the generic runner.
    public func run(
        with runner: PipelineRunner,
        environment: PipelineEnvironment,
        progress: (any ProgressReporter)?
    ) async throws -> RunReport {
        try await runner.run(self, environment: environment, progress: progress)
    }
}
