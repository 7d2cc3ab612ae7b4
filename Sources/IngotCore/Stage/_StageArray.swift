/// Stages of one type applied one after another (`for item in items { stage(item) }` in a
/// pipeline body): what the first emits goes into the second, and so on.
///
/// Built by ``StageBuilder``; you do not name this type yourself.
@_documentation(visibility: internal)
public struct _StageArray<Element: Stage>: Stage where Element.Input == Element.Output {
    public typealias Input = Element.Input
    public typealias Output = Element.Output

    @usableFromInline var stages: [Element]

    @inlinable
    init(_ stages: [Element]) {
        self.stages = stages
    }

    public mutating func process(
        _ input: consuming Input,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws {
        let value = input
        try self.stages.withUnsafeMutableBufferPointer { stages in
            try Self.process(value, from: 0, stages, context: context, emit: emit)
        }
    }

    public mutating func finish(context: StageContext, emit: (consuming Output) throws -> Void) throws {
        // Stage k flushes through stages k+1..., then stage k+1 flushes, as _Stage2 does.
        try self.stages.withUnsafeMutableBufferPointer { stages in
            for k in stages.indices {
                try stages[k].finish(context: context) { value in
                    try Self.process(value, from: k + 1, stages, context: context, emit: emit)
                }
            }
        }
    }

    public var processesInputsIndependently: Bool { self.stages.allSatisfy(\.processesInputsIndependently) }

    public func describe(_ description: inout StageDescription) {
        for stage in self.stages { stage.describe(&description) }
    }

    private static func process(
        _ input: consuming Input,
        from index: Int,
        _ stages: UnsafeMutableBufferPointer<Element>,
        context: StageContext,
        emit: (consuming Output) throws -> Void
    ) throws {
        guard index < stages.count else { return try emit(input) }
        try stages[index].process(input, context: context) { value in
            try Self.process(value, from: index + 1, stages, context: context, emit: emit)
        }
    }
}
