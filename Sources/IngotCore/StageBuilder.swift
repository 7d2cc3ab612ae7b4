/// Builds a chain of stages from a list, checking at compile time that each stage's input is the
/// previous stage's output.
///
///     ReadCorpus(field: "text")            // CorpusChunk -> Document
///     Tokenize(tokenizer, appendEOS: true) // Document -> TokenizedDocument
///     Pack(seqLen: 2048)                   // TokenizedDocument -> Row
///     WriteShards(...)                     // Row -> ShardFrame
///
/// Dropping `Pack` is a compile error: `TokenizedDocument` is not `Row`.
@resultBuilder
public enum StageBuilder {
    public static func buildPartialBlock<S: Stage>(first: S) -> S {
        first
    }

    public static func buildPartialBlock<S0: Stage, S1: Stage>(
        accumulated s0: S0,
        next s1: S1
    ) -> _Stage2<S0, S1> where S0.Output == S1.Input {
        _Stage2(s0, s1)
    }
}
