/// A chain of stages cut in two: a ``head`` whose stages each process every input on its own, and
/// a ``tail`` that starts with the first stage whose output depends on the order of its inputs
/// (packing, shard writing).
///
/// The runner runs copies of the head on several chunks of one partition at once, on every core,
/// and feeds the tail their outputs in input order, so the output is the same as one worker's.
public protocol StageSplit<Input, Output>: SendableMetatype {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
    associatedtype Head: Stage where Head.Input == Input
    associatedtype Tail: Stage where Tail.Input == Head.Output, Tail.Output == Output

    var head: Head { get }
    var tail: Tail { get }
}

/// The one ``StageSplit`` there is.
@_documentation(visibility: internal)
public struct _SplitStages<Head: Stage, Tail: Stage>: StageSplit where Tail.Input == Head.Output {
    public let head: Head
    public let tail: Tail

    public init(head: Head, tail: Tail) {
        self.head = head
        self.tail = tail
    }
}

extension Stage {
    /// A split of a one-stage chain: there is none (it is all head or all tail).
    public func splitAtFirstOrderedStage() -> (any StageSplit<Input, Output>)? { nil }
}

extension _Stage2 {
    public func splitAtFirstOrderedStage() -> (any StageSplit<Input, Output>)? {
        if self.s0.processesInputsIndependently {
            if self.s1.processesInputsIndependently { return nil }
            if let inner = self.s1.splitAtFirstOrderedStage() { return Self.prepending(self.s0, to: inner) }
            return _SplitStages(head: self.s0, tail: self.s1)
        }
        if let inner = self.s0.splitAtFirstOrderedStage() { return Self.appending(self.s1, to: inner) }
        return nil
    }

    /// `first` joins the head of `split` (a split of what follows it).
    private static func prepending<Split: StageSplit>(_ first: S0, to split: Split) -> any StageSplit<S0.Input, Split.Output>
    where Split.Input == S0.Output {
        _SplitStages(head: _Stage2<S0, Split.Head>(first, split.head), tail: split.tail)
    }

    /// `last` joins the tail of `split` (a split of what precedes it).
    private static func appending<Split: StageSplit>(_ last: S1, to split: Split) -> any StageSplit<Split.Input, S1.Output>
    where Split.Output == S1.Input {
        _SplitStages(head: split.head, tail: _Stage2<Split.Tail, S1>(split.tail, last))
    }
}

extension _EitherStage {
    public func splitAtFirstOrderedStage() -> (any StageSplit<Input, Output>)? {
        self.first?.splitAtFirstOrderedStage() ?? self.second?.splitAtFirstOrderedStage()
    }
}

extension _OptionalStage {
    public func splitAtFirstOrderedStage() -> (any StageSplit<Input, Output>)? {
        self.wrapped?.splitAtFirstOrderedStage()
    }
}
