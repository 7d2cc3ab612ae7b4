/// Tokenizes documents, optionally adding BOS before and EOS after each one.
public struct Tokenize: Stage {
    public typealias Input = Document
    public typealias Output = TokenizedDocument

    private var encoder: Tokenizer.Encoder
    private let bos: UInt32?
    private let eos: UInt32?

    /// - Parameters:
    ///   - tokenizer: the tokenizer the model was trained with.
    ///   - prependBOS: add the tokenizer's BOS token before each document.
    ///   - appendEOS: add the tokenizer's EOS token after each document (the separator packed
    ///     pre-training data needs), unless the special-token template already ends every text
    ///     with it (T5).
    ///   - splitSpecialTokens: tokenize special-token strings found in the text (`<|endoftext|>`)
    ///     as plain text instead of as their ids. Off by default, matching HuggingFace.
    ///   - addSpecialTokens: add what the tokenizer file's post-processor adds around each
    ///     document (`add_special_tokens=True`: `<s> … </s>`, `[CLS] … [SEP]`, `… </s>` for T5).
    /// - Throws: when BOS or EOS is asked for and the tokenizer has none, or special tokens are
    ///   asked for and its file has no template that adds any.
    public init(
        _ tokenizer: Tokenizer, prependBOS: Bool = false, appendEOS: Bool = false, splitSpecialTokens: Bool = false,
        addSpecialTokens: Bool = false
    ) throws {
        self.encoder = tokenizer.makeEncoder()
        self.encoder.matchesAddedTokens = !splitSpecialTokens
        if addSpecialTokens {
            guard tokenizer.hasSpecialTokenTemplate else {
                throw IngotError(
                    .configuration,
                    "tokenizer '\(tokenizer.path)' has no post-processor that adds special tokens; use prependBOS/appendEOS")
            }
            self.encoder.addsSpecialTokens = true
        }
        if prependBOS {
            guard let bos = tokenizer.bosTokenID else {
                throw IngotError(.configuration, "tokenizer '\(tokenizer.path)' has no BOS token to prepend")
            }
            self.bos = bos
        } else {
            self.bos = nil
        }
        if appendEOS {
            guard let eos = tokenizer.eosTokenID else {
                throw IngotError(.configuration, "tokenizer '\(tokenizer.path)' has no EOS token to append")
            }
            // A template that already ends every text with EOS (T5's `$A </s>`) is not doubled.
            var template: [UInt32] = []
            if addSpecialTokens {
                var probe = tokenizer.makeEncoder()
                probe.addsSpecialTokens = true
                [UInt8]().withUnsafeBufferPointer { probe.encode($0, into: &template) }
            }
            self.eos = template.last == eos ? nil : eos
        } else {
            self.eos = nil
        }
    }

    /// Room for a document's ids. A large document's ids are sized from a sample of it, so they
    /// cost their size once rather than again in a doubling copy (hundreds of MB for a book-sized
    /// document); a small one's from a typical 4 bytes a token.
    private mutating func expectedTokenCount(_ text: [UInt8]) -> Int {
        guard text.count > 4 << 20 else { return text.count / 4 + 16 }
        var end = 256 << 10
        while end > 0 && text[end] & 0xC0 == 0x80 { end -= 1 }  // a character boundary
        var sample: [UInt32] = []
        text.withUnsafeBufferPointer { self.encoder.encode(UnsafeBufferPointer(rebasing: $0[..<end]), into: &sample) }
        return Int(Double(text.count) * Double(sample.count + 1) / Double(end) * 1.05) + 1024
    }

    /// A document's ids depend on its text alone.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("prepend_bos", self.bos != nil)
        description.record("append_eos", self.eos != nil)
        description.record("add_special_tokens", self.encoder.addsSpecialTokens)
        description.record("split_special_tokens", !self.encoder.matchesAddedTokens)
    }

    public mutating func process(
        _ document: consuming Document,
        context: StageContext,
        emit: (consuming TokenizedDocument) throws -> Void
    ) throws {
        // Fresh array per document: it moves into the emitted value without a copy.
        var ids: [UInt32] = []
        ids.reserveCapacity(self.expectedTokenCount(document.text) + 2)
        if let bos { ids.append(bos) }
        document.text.withUnsafeBufferPointer { self.encoder.encode($0, into: &ids) }
        if let eos { ids.append(eos) }
        context.statistics.tokens += ids.count
        context.statistics.recordDocumentLength(ids.count)
        let location = document.location
        // The text is done with: free it before the ids travel on through packing and writing.
        _ = consume document
        try emit(TokenizedDocument(tokens: ids, location: location))
    }
}
