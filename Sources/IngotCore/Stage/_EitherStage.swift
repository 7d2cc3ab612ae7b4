/// One of two stages with the same input and output types (`if condition { a } else { b }` in a
/// pipeline body).
///
/// Built by ``StageBuilder``; you do not name this type yourself.
@_documentation(visibility: internal)
public struct _EitherStage<First: Stage, Second: Stage>: Stage
where First.Input == Second.Input, First.Output == Second.Output {
    public typealias Input = First.Input
    public typealias Output = First.Output

    @usableFromInline
    enum Branch {
        case first(First)
        case second(Second)
    }

    // Two optionals rather than the enum itself, so the active stage is mutated in place (an
    // enum payload would be copied out, and its buffers copied on write).
    @usableFromInline var first: First?
    @usableFromInline var second: Second?

    @inlinable
    init(_ branch: Branch) {
        switch branch {
        case .first(let stage): self.first = stage
        case .second(let stage): self.second = stage
        }
    }

    @inlinable
    public mutating func process(
        _ input: consuming Input,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws {
        if self.first != nil {
            try self.first!.process(input, context: context, emit: emit)
        } else {
            try self.second!.process(input, context: context, emit: emit)
        }
    }

    @inlinable
    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {
        if self.first != nil {
            try self.first!.finish(context: context, emit: emit)
        } else {
            try self.second!.finish(context: context, emit: emit)
        }
    }

    public var processesInputsIndependently: Bool { self.first?.processesInputsIndependently ?? self.second!.processesInputsIndependently }

    public func describe(_ description: inout StageDescription) {
        self.first?.describe(&description)
        self.second?.describe(&description)
    }
}
