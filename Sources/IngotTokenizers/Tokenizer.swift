import Dispatch
import Foundation
import IngotCore
import IngotJSON
import IngotSystem

/// A tokenizer that gives exactly the ids of the reference library for its file: HuggingFace
/// `tokenizer.json` (BPE, WordPiece, Unigram), tiktoken rank files, Mistral Tekken files and
/// SentencePiece `.model` files. Any component Ingot does not implement is rejected at load
/// time, by name.
///
/// Encoding follows HuggingFace's order: added tokens are cut out of the raw text, each run in
/// between is normalized (and searched for added tokens that match normalized text),
/// pre-tokenized into pieces, and each piece goes through the model. Common configurations
/// (byte-level BPE with a known split pattern, SentencePiece-style Metaspace BPE, BERT) have
/// fused fast paths; the rest runs through the general normalizer and pre-tokenizer steps.
///
/// The value is immutable and `Sendable`; per-thread state (a cache of short pieces, scratch
/// buffers) lives in an ``Encoder``, which each worker makes for itself. The cache of every piece
/// encoded so far is shared by a tokenizer's encoders: each piece is merged once per process.
public struct Tokenizer: Sendable {
    /// Where the tokenizer was loaded from.
    public let path: String
    /// SHA-256 (lowercase hex) of the bytes the tokenizer was built from, hashed on another core
    /// while they were parsed: what a dataset records as its tokenizer, with no second read that
    /// could see a file changed since.
    public internal(set) var fileSHA256 = ""
    /// One past the largest token id.
    public let vocabularySize: Int
    /// Added tokens, in id order.
    public let addedTokens: [AddedToken]

    let model: TokenModel
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer
    /// What `add_special_tokens` adds (BOS/EOS/CLS/SEP templates), applied in order.
    var postProcessor: [[TemplateItem]] = []
    /// Added tokens matched in the raw text, and those matched after normalization.
    let rawTokenMatcher: AddedTokenMatcher
    let normalizedTokenMatcher: AddedTokenMatcher
    /// Bytes of every token id (empty for unused ids), for decoding and token offsets.
    let tokenBytes: TokenBytes
    /// SentencePiece-style decoding drops the space the `▁` prefix became.
    var decodeStripsLeadingSpace = false
    /// U+2581-escaped pieces may be cut before each U+2581 that follows another character
    /// (no vocabulary entry has U+2581 after another character, so no merge crosses a cut).
    var wordsAreIndependent = false
    /// The pieces this tokenizer's encoders have encoded, shared by all of them (copies of a
    /// tokenizer share it too). A cache holds only what the model computes from a piece, so what
    /// it holds changes no id.
    private(set) var pieceCache = PieceCache()

    /// Loads a HuggingFace `tokenizer.json`, a tiktoken rank file (`*.tiktoken`), a Mistral
    /// Tekken file (`tekken_*.json`) or a SentencePiece model (`*.model`, a protobuf).
    public static func load(contentsOf path: String) throws(TokenizerError) -> Tokenizer {
        let file = try Self.contents(of: path)
        // The digest is computed on another core while the file is read; not around the tables'
        // own parallel work (BPE vocabulary and merges, a rank file's merges), which libdispatch
        // would run serially if nested in this loop.
        let digest = ResultSlots<String>(count: 1)
        let read = ResultSlots<ReadFile>(count: 1)
        DispatchQueue.concurrentPerform(iterations: 2) { job in
            if job == 0 {
                digest[0] = .success(SHA256.hex(file))
            } else {
                read[0] = Result { () throws(TokenizerError) in try Self.read(file, path: path) }
            }
        }
        var tokenizer: Tokenizer
        switch try read[0]!.get() {
        case .loaded(let loaded):
            tokenizer = loaded
        case .ranks(let loader, let ranks):
            tokenizer = try loader.load(ranks)
        case .json(let json, let deferred):
            if let vocab = TekkenLoader.vocabRange(json, file: file, deferred: deferred) {
                tokenizer = try TekkenLoader(path: path, json: json, file: file, vocabRange: vocab).load()
            } else {
                // A top-level `vocab` is left out of the tree for Tekken files only; elsewhere it
                // must still be valid JSON, as the whole file must.
                if let vocab = deferred["vocab"] { try Self.checkSyntax(of: vocab, in: file, path: path) }
                tokenizer = try TokenizerJSONLoader(path: path, json: json, file: file, deferred: deferred).load()
            }
        }
        tokenizer.fileSHA256 = try digest[0]!.get()
        return tokenizer
    }

    private static func checkSyntax(of range: Range<Int>, in file: [UInt8], path: String) throws(TokenizerError) {
        let result = file.withUnsafeBytes { raw in
            Result { () throws(JSONError) in
                var reader = try JSONPullReader(UnsafeRawBufferPointer(rebasing: raw[range]))
                try reader.skipValue()
                try reader.finish()
            }
        }
        if case .failure(let error) = result { throw TokenizerError(path: path, "not valid JSON: \(error)") }
    }

    /// A file read as far as it can be before any parallel work: a whole tokenizer, a rank
    /// file's ranks, or the tree of a JSON file.
    private enum ReadFile {
        case loaded(Tokenizer)
        case ranks(TiktokenLoader, RankedTokens)
        case json(JSONValue, deferred: [String: Range<Int>])
    }

    private static func read(_ file: [UInt8], path: String) throws(TokenizerError) -> ReadFile {
        if path.hasSuffix(".tiktoken") {
            let loader = TiktokenLoader(path: path, file: file)
            return .ranks(loader, try loader.readRanks())
        }
        // JSON starts with '{' (after optional whitespace); a protobuf ModelProto starts with
        // field 1 (a piece), tag byte 0x0A.
        if let first = file.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first != UInt8(ascii: "{"),
            file.first == 0x0A
        {
            return .loaded(try SentencePieceLoader(path: path, file: file).load())
        }
        do {
            // Read floats (Unigram scores) as HuggingFace's serde_json does: see FloatParsing.
            let parsed = try file.withUnsafeBytes { raw in
                Result { () throws(JSONError) in
                    try JSONValue.parse(raw, floats: .serdeJSON, deferring: TokenizerJSONLoader.deferredMembers)
                }
            }.get()
            return .json(parsed.value, deferred: parsed.deferred)
        } catch {
            throw TokenizerError(path: path, "not valid JSON (nor a SentencePiece model): \(error)")
        }
    }

    /// The file's bytes, read once into the buffer the loaders parse in place.
    private static func contents(of path: String) throws(TokenizerError) -> [UInt8] {
        do {
            let file = try OpenFile(path, mode: .read)
            defer { try? file.close() }
            let size = try file.status().size
            // Read straight into the array: no zero-filling of megabytes first.
            var failure: SystemError?
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                do throws(SystemError) {
                    count = try file.read(at: 0, into: UnsafeMutableRawBufferPointer(buffer))
                } catch {
                    failure = error
                    count = 0
                }
            }
            if let failure { throw failure }
            return bytes
        } catch {
            throw TokenizerError(path: path, "cannot read the file: \(error)")
        }
    }

    init(
        path: String, model: TokenModel, normalizer: Normalizer? = nil, preTokenizer: PreTokenizer,
        addedTokens: [AddedToken], tokenBytes: TokenBytes, matchesAddedTokensInText: Bool = true
    ) {
        self.path = path
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        let matchable = matchesAddedTokensInText ? addedTokens : []
        self.rawTokenMatcher = AddedTokenMatcher(matchable.filter { !$0.matchesNormalizedText })
        self.normalizedTokenMatcher = AddedTokenMatcher(matchable.filter { $0.matchesNormalizedText })
        self.tokenBytes = tokenBytes
        self.vocabularySize = tokenBytes.count
    }

    /// Byte-level BPE convenience (tiktoken, Tekken, GPT-2 style files).
    init(
        path: String, bpe: BPEModel, preTokenizer: PreTokenizer, addedTokens: [AddedToken], tokenBytes: TokenBytes,
        matchesAddedTokensInText: Bool = true
    ) {
        self.init(
            path: path, model: .bpe(bpe), preTokenizer: preTokenizer, addedTokens: addedTokens, tokenBytes: tokenBytes,
            matchesAddedTokensInText: matchesAddedTokensInText)
    }

    /// The id of an added or vocabulary token given by its text.
    public func tokenID(_ text: String) -> UInt32? {
        if let added = self.addedTokens.first(where: { $0.content == text }) { return added.id }
        return self.model.entryID(text, byteLevel: false)
    }

    /// The end-of-sequence token, found among the special added tokens by its conventional name.
    public var eosTokenID: UInt32? {
        self.firstSpecial(["<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|eot_id|>", "[SEP]"])
    }

    /// The beginning-of-sequence token, if the tokenizer has one.
    public var bosTokenID: UInt32? {
        self.firstSpecial(["<|begin_of_text|>", "<s>", "<bos>", "[CLS]"])
    }

    /// The padding token, if the tokenizer has one.
    public var padTokenID: UInt32? {
        self.firstSpecial(["<pad>", "[PAD]", "<|pad|>", "<|finetune_right_pad_id|>"])
    }

    private func firstSpecial(_ names: [String]) -> UInt32? {
        for name in names {
            if let token = self.addedTokens.first(where: { $0.isSpecial && $0.content == name }) { return token.id }
        }
        return nil
    }

    /// Whether ``Encoder/addsSpecialTokens`` changes anything (the file has a post-processor
    /// that adds tokens).
    public var hasSpecialTokenTemplate: Bool {
        self.postProcessor.contains { $0.contains { if case .special = $0 { true } else { false } } }
    }

    /// Makes an encoder: the mutable, per-worker half of the tokenizer.
    public func makeEncoder() -> Encoder { Encoder(self) }

    /// This tokenizer with an empty piece cache of its own: its encoders start as cold as in a
    /// fresh process (a benchmark's cold passes).
    public func withEmptyPieceCache() -> Tokenizer {
        var copy = self
        copy.pieceCache = PieceCache()
        return copy
    }

    /// Encodes a string with a throwaway encoder (convenient; workers keep an ``Encoder``).
    public func encode(_ text: String, matchingAddedTokens: Bool = true, addingSpecialTokens: Bool = false) -> [UInt32] {
        var encoder = self.makeEncoder()
        encoder.matchesAddedTokens = matchingAddedTokens
        encoder.addsSpecialTokens = addingSpecialTokens
        var ids: [UInt32] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
        return ids
    }

    /// The text of `ids`; bytes that do not form valid UTF-8 become U+FFFD.
    public func decode(_ ids: some Sequence<UInt32>) -> String {
        if case .wordPiece = self.model {
            // WordPiece: words joined by spaces, `##` pieces glued to the previous one.
            var text = ""
            for id in ids where Int(id) < self.tokenBytes.count {
                let piece = String(decoding: self.tokenBytes[Int(id)], as: UTF8.self)
                if piece.hasPrefix("##") { text += piece.dropFirst(2) } else { text += (text.isEmpty ? "" : " ") + piece }
            }
            return text
        }
        var bytes: [UInt8] = []
        for id in ids where Int(id) < self.tokenBytes.count {
            bytes += self.tokenBytes[Int(id)]
        }
        if self.decodeStripsLeadingSpace && bytes.first == 0x20 { bytes.removeFirst() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The model that turns a pre-tokenized piece into ids.
enum TokenModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)
    case unigram(UnigramModel)
    case sentencePieceBPE(SentencePieceBPE)

    /// The number of vocabulary entries.
    var entryCount: Int {
        switch self {
        case .bpe(let bpe): bpe.vocabulary.count
        case .wordPiece(let wordPiece): wordPiece.initial.count
        case .unigram(let unigram): unigram.scores.count
        case .sentencePieceBPE(let bpe): bpe.scores.count
        }
    }

    /// The id of the vocabulary entry spelled `text` as the file spells it (byte-level
    /// vocabularies spell bytes as printable characters).
    func entryID(_ text: String, byteLevel: Bool) -> UInt32? {
        let bytes = byteLevel ? ByteLevel.bytes(of: text) : Array(text.utf8)
        guard let bytes else { return nil }
        let id: UInt64?
        switch self {
        case .bpe(let bpe): id = bpe.vocabulary.find(bytes)
        case .wordPiece(let wordPiece): id = wordPiece.initial.find(bytes)
        case .unigram(let unigram): id = unigram.vocabulary.find(bytes)
        case .sentencePieceBPE(let bpe): id = bpe.pieces.find(bytes)
        }
        return id.map { UInt32(truncatingIfNeeded: $0) }
    }
}

/// How text is cut into pieces before the model runs.
enum PreTokenizer: Sendable {
    /// A split pattern with a scanner, then byte-level BPE on each piece.
    case split(SplitPattern)
    /// SentencePiece's convention in `tokenizer.json`: spaces become U+2581, one is prepended
    /// per the scheme, and the text is one piece (Metaspace with `split: false`).
    case metaspace(prepend: PrependScheme)
    /// BERT's normalizer and pre-tokenizer, fused, for WordPiece.
    case bert(BertText)
    /// A SentencePiece `.model`'s normalization; the text is one piece (cut into words when
    /// ``Tokenizer/wordsAreIndependent``).
    case sentencePiece(SentencePieceNormalizer)
    /// Any sequence of HuggingFace pre-tokenizers (none: the text is one piece).
    case general([PreTokenizerStep])

    enum PrependScheme: Sendable, Hashable { case always, first, never }
}

/// One element of a post-processor template: the encoded text, or fixed special-token ids.
enum TemplateItem: Sendable, Equatable {
    case sequence
    case special([UInt32])
}
