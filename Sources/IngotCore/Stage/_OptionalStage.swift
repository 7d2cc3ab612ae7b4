/// A stage that is there or not (`if condition { stage }` in a pipeline body): when absent,
/// values pass through unchanged.
///
/// Built by ``StageBuilder``; you do not name this type yourself.
@_documentation(visibility: internal)
public struct _OptionalStage<Wrapped: Stage>: Stage where Wrapped.Input == Wrapped.Output {
    public typealias Input = Wrapped.Input
    public typealias Output = Wrapped.Output

    @usableFromInline var wrapped: Wrapped?

    @inlinable
    init(_ wrapped: Wrapped?) {
        self.wrapped = wrapped
    }

    @inlinable
    public mutating func process(
        _ input: consuming Input,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws {
        if self.wrapped == nil {
            try emit(input)
        } else {
            try self.wrapped!.process(input, context: context, emit: emit)
        }
    }

    @inlinable
    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {
        if self.wrapped != nil { try self.wrapped!.finish(context: context, emit: emit) }
    }

    public var processesInputsIndependently: Bool { self.wrapped?.processesInputsIndependently ?? true }

    public func describe(_ description: inout StageDescription) {
        self.wrapped?.describe(&description)
    }
}
