/// Builds a chain of stages from a list, checking at compile time that each stage's input is the
/// previous stage's output.
///
///     ReadCorpus(field: "text")              // CorpusChunk -> Document
///     Tokenize(tokenizer, appendEOS: true)   // Document -> TokenizedDocument
///     if minTokens > 0 {
///         DropShortDocuments(minTokens)      // TokenizedDocument -> TokenizedDocument
///     }
///     Pack(seqLen: 2048)                     // TokenizedDocument -> Row
///     WriteShards(...)                       // Row -> ShardFrame
///
/// Dropping `Pack` is a compile error: `TokenizedDocument` is not `Row`. An `if` without `else`
/// and a `for` loop may only hold stages whose output type is their input type (a filter, a
/// transform), so the chain's type is the same whichever way the condition goes; `if`/`else`
/// branches must agree on both types.
@resultBuilder
public enum StageBuilder {
    public static func buildExpression<S: Stage>(_ stage: S) -> S {
        stage
    }

    public static func buildPartialBlock<S: Stage>(first: S) -> S {
        first
    }

    public static func buildPartialBlock<S0: Stage, S1: Stage>(
        accumulated s0: S0,
        next s1: S1
    ) -> _Stage2<S0, S1> where S0.Output == S1.Input {
        _Stage2(s0, s1)
    }

    /// `if condition { stage }`: the stage when the condition holds, else values pass through.
    public static func buildOptional<S: Stage>(_ stage: S?) -> _OptionalStage<S> where S.Input == S.Output {
        _OptionalStage(stage)
    }

    /// `if condition { first } else { second }`.
    public static func buildEither<First: Stage, Second: Stage>(
        first: First
    ) -> _EitherStage<First, Second> where First.Input == Second.Input, First.Output == Second.Output {
        _EitherStage(.first(first))
    }

    public static func buildEither<First: Stage, Second: Stage>(
        second: Second
    ) -> _EitherStage<First, Second> where First.Input == Second.Input, First.Output == Second.Output {
        _EitherStage(.second(second))
    }

    /// `for item in items { stage(item) }`: the stages one after another, in order.
    public static func buildArray<S: Stage>(_ stages: [S]) -> _StageArray<S> where S.Input == S.Output {
        _StageArray(stages)
    }

    /// `if #available(...)`: the stage as it is.
    public static func buildLimitedAvailability<S: Stage>(_ stage: S) -> S {
        stage
    }
}
