/// One step of a pipeline: it consumes `Input` values and emits `Output` values.
///
/// A pipeline's stages are built by the runner for each worker and each partition of the input
/// (as SwiftNIO builds a channel's handlers per channel), and each copy is used by one worker at a
/// time, so a stage may own per-worker resources (a compression context, scratch buffers, a
/// cache) with no locks; it need not be `Sendable`. Only the values that flow between stages are.
/// Leading stages that process inputs independently run on several chunks of a partition at
/// once, one copy per worker; the rest run once per partition, in input order (``StageSplit``).
///
/// Composition is checked by the compiler: ``StageBuilder`` only accepts a stage after another
/// when `Output` of the first is `Input` of the second. That is how Ingot makes ragged shards
/// impossible to write: ``Row`` (a fixed-length row) is produced only by the stages that pad or
/// pack, and the shard writer accepts nothing else.
///
/// A stage that rejects bad input calls ``StageContext/reject(_:at:)``; one that filters calls
/// ``StageContext/drop(_:at:)``; either way every document stays accounted for.
public protocol Stage<Input, Output>: SendableMetatype {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// Processes one input value, calling `emit` zero or more times.
    mutating func process(
        _ input: consuming Input,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws

    /// Flushes whatever the stage still holds at the end of a partition.
    mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws

    /// Adds what this stage contributes to the dataset's description: the options that shaped
    /// its output (recorded in the index), the counters it keeps, the shard layout it writes.
    /// Called before any input, on a freshly built chain.
    func describe(_ description: inout StageDescription)

    /// Whether what the stage emits for an input depends on that input alone (not on the inputs
    /// before it), and it emits nothing when it finishes: a reader, a tokenizer, a filter, padding.
    /// The runner then runs copies of it on several chunks of a partition at once. Packing and
    /// shard writing depend on order. Default: false, which is always correct.
    var processesInputsIndependently: Bool { get }

    /// This chain cut before its first stage that depends on order, when stages before it do not
    /// (see ``StageSplit``); nil for a single stage, or a chain that is all one or the other.
    func splitAtFirstOrderedStage() -> (any StageSplit<Input, Output>)?
}

extension Stage {
    @inlinable
    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {}

    @inlinable
    public func describe(_ description: inout StageDescription) {}

    public var processesInputsIndependently: Bool { false }
}
