import Foundation
import IngotJSON

/// A tokenizer loaded from a HuggingFace `tokenizer.json`, giving exactly the ids of the
/// reference library.
///
/// Supported today: byte-level BPE with the GPT-2 split pattern (GPT-2, RoBERTa-style), with
/// added tokens. Any other component is rejected at load time with its name.
///
/// The value is immutable and `Sendable`; per-thread state (the piece cache) lives in an
/// ``Encoder``, which each worker makes for itself.
public struct Tokenizer: Sendable {
    /// Where the tokenizer was loaded from.
    public let path: String
    /// One past the largest token id.
    public let vocabularySize: Int
    /// Added tokens, in id order.
    public let addedTokens: [AddedToken]

    /// The model: BPE (with a split or Metaspace pre-tokenizer) or WordPiece (with `.bert`).
    let bpe: BPEModel?
    let wordPiece: WordPieceModel?
    let preTokenizer: PreTokenizer
    let addedTokenMatcher: AddedTokenMatcher
    /// Bytes of every token id (empty for unused ids), for decoding.
    let tokenBytes: [[UInt8]]
    /// SentencePiece-style decoding drops the space the `▁` prefix became.
    let decodeStripsLeadingSpace: Bool

    /// Loads a HuggingFace `tokenizer.json`, a tiktoken rank file (`*.tiktoken`) or a Mistral
    /// Tekken file (`tekken_*.json`).
    public static func load(contentsOf path: String) throws(TokenizerError) -> Tokenizer {
        if path.hasSuffix(".tiktoken") {
            return try TiktokenLoader(path: path).load()
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(path: path, "cannot read the file: \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw TokenizerError(path: path, "not valid JSON: \(error)")
        }
        if TekkenLoader.recognizes(json) {
            return try TekkenLoader(path: path, json: json).load()
        }
        return try TokenizerJSONLoader(path: path, json: json).load()
    }

    init(
        path: String, bpe: BPEModel? = nil, wordPiece: WordPieceModel? = nil, preTokenizer: PreTokenizer,
        addedTokens: [AddedToken], tokenBytes: [[UInt8]], decodeStripsLeadingSpace: Bool = false,
        matchesAddedTokensInText: Bool = true
    ) {
        precondition((bpe == nil) != (wordPiece == nil), "exactly one model")
        self.path = path
        self.bpe = bpe
        self.wordPiece = wordPiece
        self.preTokenizer = preTokenizer
        self.decodeStripsLeadingSpace = decodeStripsLeadingSpace
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.addedTokenMatcher = AddedTokenMatcher(matchesAddedTokensInText ? addedTokens : [])
        self.tokenBytes = tokenBytes
        self.vocabularySize = tokenBytes.count
    }

    /// The id of an added or vocabulary token given by its text.
    public func tokenID(_ text: String) -> UInt32? {
        if let added = self.addedTokens.first(where: { $0.content == text }) { return added.id }
        let table = self.bpe?.vocabulary ?? self.wordPiece!.initial
        return table.find(Array(text.utf8)).map { UInt32(truncatingIfNeeded: $0) }
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

    /// Makes an encoder: the mutable, per-worker half of the tokenizer.
    public func makeEncoder() -> Encoder { Encoder(self) }

    /// Encodes a string with a throwaway encoder (convenient; workers keep an ``Encoder``).
    public func encode(_ text: String, matchingAddedTokens: Bool = true) -> [UInt32] {
        var encoder = self.makeEncoder()
        encoder.matchesAddedTokens = matchingAddedTokens
        var ids: [UInt32] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
        return ids
    }

    /// The text of `ids`; bytes that do not form valid UTF-8 become U+FFFD.
    public func decode(_ ids: some Sequence<UInt32>) -> String {
        var bytes: [UInt8] = []
        for id in ids where Int(id) < self.tokenBytes.count {
            bytes += self.tokenBytes[Int(id)]
        }
        if self.decodeStripsLeadingSpace && bytes.first == 0x20 { bytes.removeFirst() }
        if self.wordPiece != nil {
            // WordPiece: words joined by spaces, `##` pieces glued to the previous one.
            var text = ""
            for id in ids where Int(id) < self.tokenBytes.count {
                let piece = String(decoding: self.tokenBytes[Int(id)], as: UTF8.self)
                if piece.hasPrefix("##") { text += piece.dropFirst(2) } else { text += (text.isEmpty ? "" : " ") + piece }
            }
            return text
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes text with a cache of recently seen pieces.
    public struct Encoder: Sendable {
        public let tokenizer: Tokenizer
        /// Whether added-token strings in the text (`<|endoftext|>`) become their ids, as
        /// HuggingFace does by default; when false they are tokenized as plain text.
        public var matchesAddedTokens = true

        private var cache = ByteKeyedTable(minimumCapacity: 1 << 14)
        private var cachedIDs: [UInt32] = []
        private var scratch: [UInt32] = []
        private static let cacheLimit = 1 << 18
        private static let cacheablePieceLength = 64

        init(_ tokenizer: Tokenizer) {
            self.tokenizer = tokenizer
        }

        /// Appends the ids of `text` (valid UTF-8) to `ids`. Adds no BOS/EOS.
        public mutating func encode(_ text: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            // Local copies: the closures below mutate self, which must not overlap a read of it.
            let matcher = self.tokenizer.addedTokenMatcher
            if self.matchesAddedTokens && !matcher.isEmpty {
                matcher.split(
                    text,
                    plain: { self.encodeSegment($0, atStart: $0.baseAddress == text.baseAddress, into: &ids) },
                    token: { ids.append($0) })
            } else {
                self.encodeSegment(text, atStart: true, into: &ids)
            }
        }

        /// Encodes one run of text between added tokens; `atStart` when it begins the input.
        private mutating func encodeSegment(_ text: UnsafeBufferPointer<UInt8>, atStart: Bool, into ids: inout [UInt32]) {
            switch self.tokenizer.preTokenizer {
            case .split:
                self.encodePlain(text, into: &ids)
            case .bert(let bert):
                guard let model = self.tokenizer.wordPiece else { return }
                bert.words(text) { model.encode(word: $0, into: &ids) }
            case .metaspace(let prepend):
                // Spaces become U+2581 and, per the prepend scheme, one is put in front; the whole
                // segment is then a single piece (Metaspace with split: false).
                let bytes = Self.metaspaceBuffer(text, prepend: prepend == .always || (prepend == .first && atStart))
                guard !bytes.isEmpty else { return }
                if self.tokenizer.bpe!.wordsAreIndependent {
                    bytes.withUnsafeBufferPointer { self.encodeMetaspaceWords($0, into: &ids) }
                } else {
                    let model = self.tokenizer.bpe!
                    bytes.withUnsafeBufferPointer { model.encode(piece: $0, into: &ids, scratch: &self.scratch) }
                }
            }
        }

        static func metaspaceBuffer(_ text: UnsafeBufferPointer<UInt8>, prepend: Bool) -> [UInt8] {
            var bytes: [UInt8] = []
            guard !text.isEmpty else { return bytes }
            bytes.reserveCapacity(text.count + 3)
            let startsWithMarker = text[0] == 0x20 || (text.count >= 3 && text[0] == 0xE2 && text[1] == 0x96 && text[2] == 0x81)
            if prepend && !startsWithMarker { bytes += [0xE2, 0x96, 0x81] }
            for b in text {
                if b == 0x20 { bytes += [0xE2, 0x96, 0x81] } else { bytes.append(b) }
            }
            return bytes
        }

        private mutating func encodePlain(_ text: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            guard case .split(let pattern) = self.tokenizer.preTokenizer else { return }
            pattern.split(text) { range in
                self.encodeCached(UnsafeBufferPointer(rebasing: text[range]), into: &ids)
            }
        }

        /// Encodes one piece through the cache of recently seen pieces.
        @inline(__always)
        private mutating func encodeCached(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            let model = self.tokenizer.bpe!
            guard piece.count <= Self.cacheablePieceLength, piece.count > 1 || !model.isByteLevel else {
                model.encode(piece: piece, into: &ids, scratch: &self.scratch)
                return
            }
            if let packed = self.cache.find(piece) {
                let start = Int(packed >> 32)
                let count = Int(packed & 0xFFFF_FFFF)
                ids.append(contentsOf: self.cachedIDs[start..<(start + count)])
                return
            }
            let before = ids.count
            model.encode(piece: piece, into: &ids, scratch: &self.scratch)
            if self.cache.count >= Self.cacheLimit {
                self.cache.removeAll()
                self.cachedIDs.removeAll(keepingCapacity: true)
            }
            let start = self.cachedIDs.count
            self.cachedIDs.append(contentsOf: ids[before...])
            self.cache.insert(piece, value: UInt64(start) << 32 | UInt64(ids.count - before))
        }

        /// Metaspace text as independent words: cut before every U+2581 that follows another
        /// character. Exact only when no vocabulary token has U+2581 after another character (no
        /// merge can then cross the cut); the loader checks that, else the text stays one piece.
        private mutating func encodeMetaspaceWords(_ text: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            var start = 0
            var i = 1
            var previousIsMarker = text.count >= 3 && text[0] == 0xE2 && text[1] == 0x96 && text[2] == 0x81
            if previousIsMarker { i = 3 }
            while i < text.count {
                let isMarker = i + 2 < text.count && text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81
                if isMarker && !previousIsMarker && i > start {
                    self.encodeCached(UnsafeBufferPointer(rebasing: text[start..<i]), into: &ids)
                    start = i
                }
                previousIsMarker = isMarker
                i += isMarker ? 3 : 1
                // Skip continuation bytes of a multi-byte character in one step.
                while !isMarker && i < text.count && text[i] & 0xC0 == 0x80 { i += 1 }
            }
            if start < text.count { self.encodeCached(UnsafeBufferPointer(rebasing: text[start...]), into: &ids) }
        }
    }
}

/// How text is cut into pieces before the model runs.
enum PreTokenizer: Sendable, Hashable {
    /// A split pattern, then byte-level BPE on each piece.
    case split(SplitPattern)
    /// SentencePiece's convention: spaces become U+2581, one is prepended per the scheme, and the
    /// text is one piece.
    case metaspace(prepend: PrependScheme)
    /// BERT's normalizer and pre-tokenizer, for WordPiece.
    case bert(BertText)

    enum PrependScheme: Sendable, Hashable { case always, first, never }
}
