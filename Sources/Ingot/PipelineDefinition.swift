/// A named pipeline, declared in Swift in the `Pipelines/` folder:
///
///     struct Pretrain: PipelineDefinition {
///         static let name = "pretrain"
///         static let abstract = "Tokenize, append EOS, pack into seq_len rows."
///
///         func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
///             ReadCorpus(field: run.textField)
///             try Tokenize(run.tokenizer, appendEOS: true)
///             Pack(seqLen: run.seqLen, padID: run.padTokenID, strategy: run.packing)
///             WriteShards(schema: run.schema)
///         }
///     }
///
/// The body's type proves the pipeline ends in fixed-length rows: ``WriteShards`` accepts only
/// ``Row``, and only padding and packing stages make rows.
public protocol PipelineDefinition: Sendable {
    associatedtype Body: Stage<CorpusChunk, ShardFrame>

    /// The name `pipeline run NAME` uses.
    static var name: String { get }
    /// One line for `pipeline list`.
    static var abstract: String { get }
    /// The row length when `--seq-len` is not given.
    static var defaultSeqLen: Int { get }

    init()

    /// Builds the chain for one run. Called once per run; the runner copies the result for each
    /// partition.
    @StageBuilder func body(_ run: PipelineEnvironment) throws -> Body
}

extension PipelineDefinition {
    public static var defaultSeqLen: Int { 2048 }
}

extension PipelineDefinition {
    /// Runs a fresh instance of this pipeline: the bridge from a registry's `any
    /// PipelineDefinition.Type` to the generic runner.
    public static func run(
        with runner: PipelineRunner,
        environment: PipelineEnvironment,
        progress: (any ProgressReporter)?
    ) async throws -> RunReport {
        try await runner.run(Self(), environment: environment, progress: progress)
    }
}
