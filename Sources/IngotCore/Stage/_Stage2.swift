/// Two stages fused into one: every value `s0` emits goes straight into `s1`, on the same worker,
/// with no buffering or suspension in between.
///
/// Built by ``StageBuilder``; you do not name this type yourself.
@_documentation(visibility: internal)
public struct _Stage2<S0: Stage, S1: Stage>: Stage where S0.Output == S1.Input {
    public typealias Input = S0.Input
    public typealias Output = S1.Output

    @usableFromInline var s0: S0
    @usableFromInline var s1: S1

    @inlinable
    init(_ s0: S0, _ s1: S1) {
        self.s0 = s0
        self.s1 = s1
    }

    @inlinable
    public mutating func process(
        _ input: consuming Input,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws {
        try self.s0.process(input, context: context) { middle in
            try self.s1.process(middle, context: context, emit: emit)
        }
    }

    @inlinable
    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {
        // Flush in order: what s0 still holds must pass through s1 before s1 flushes itself.
        try self.s0.finish(context: context) { middle in
            try self.s1.process(middle, context: context, emit: emit)
        }
        try self.s1.finish(context: context, emit: emit)
    }

    public var processesInputsIndependently: Bool { self.s0.processesInputsIndependently && self.s1.processesInputsIndependently }

    public func describe(_ description: inout StageDescription) {
        self.s0.describe(&description)
        self.s1.describe(&description)
    }
}
