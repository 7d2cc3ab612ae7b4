/// One step of a pipeline: it consumes `Input` values and emits `Output` values.
///
/// Stages are values. The runner gives every partition of the input its own copy of the whole
/// fused chain, so a stage's mutable state (a packing window, a tokenizer cache) is owned by one
/// worker at a time and needs no locks.
///
/// Composition is checked by the compiler: ``StageBuilder`` only accepts a stage after another
/// when `Output` of the first is `Input` of the second. That is how Ingot makes ragged shards
/// impossible to write: ``Row`` (a fixed-length row) is produced only by the stages that pad or
/// pack, and the shard writer accepts nothing else.
public protocol Stage<Input, Output>: Sendable {
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
}

extension Stage {
    @inlinable
    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {}
}
