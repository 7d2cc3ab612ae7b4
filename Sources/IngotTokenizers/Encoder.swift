extension Tokenizer {
    /// Encodes text: the mutable, per-worker half of a ``Tokenizer``, holding a cache of recent
    /// short pieces and the models' scratch buffers (the tokenizer's piece cache is shared by all
    /// its encoders).
    public struct Encoder: Sendable {
        public let tokenizer: Tokenizer
        /// Whether special-token strings in the text (`<|endoftext|>`) become their ids, as
        /// HuggingFace does by default; when false they are tokenized as plain text (HuggingFace's
        /// `split_special_tokens`; non-special added tokens still match).
        public var matchesAddedTokens = true
        /// Whether to add what the file's post-processor adds (`add_special_tokens=True`: BOS,
        /// EOS, CLS/SEP), around each encoded text.
        public var addsSpecialTokens = false

        /// The tokenizer's piece cache, shared with its other encoders, and this encoder's share
        /// of its bookkeeping.
        private let pieces: PieceCache
        private var pieceWriter = PieceCache.Writer()
        /// The one- and two-id results of short pieces, looked up before `pieces`.
        private var shortPieces = ShortPieceCache()
        private var scratch: [UInt32] = []
        private var lattice = UnigramModel.Lattice()
        private var bpeScratch = SentencePieceBPE.Scratch()
        /// Pieces up to the longest the cache's key word takes are cached: the long ones are rare
        /// (4.9k of 12.1M pieces in 54 MB of English, runs of spaces, `=` or `-` mostly) but each
        /// costs a heap merge of dozens of bytes, and most repeat.
        private static let cacheablePieceLength = PieceCache.maximumPieceLength
        /// A value holding one or two ids; the second flag says there are two.
        private static let inlineFlag: UInt64 = 1 << 63
        private static let secondFlag: UInt64 = 1 << 62
        /// A value that is where its ids are in the cache's id arena (start in the high half, count
        /// in the low 16 bits); the flag keeps an empty result's value from being 0.
        private static let rangeFlag: UInt64 = 1 << 31

        /// For tiktoken-style models (`ignore_merges`), the vocabulary: a piece that is a token is
        /// that token, found there without merging. It is looked up after the piece cache, and
        /// what it finds is cached too: the cache holds only the pieces a text uses, a fraction
        /// of a 128k vocabulary's table, so repeated pieces are found in memory that stays in the
        /// CPU's caches (Llama 3 on English: 29-33 -> 46-50 MB/s).
        private let wholePieces: ByteKeyedTable?
        /// For byte-level BPE, each byte's id: a one-byte piece (a comma, a newline, a lone space)
        /// is that id. Looked up here, it skips the `switch` on the model, which copies the model
        /// out of its enum (184 bytes, with a retain and a release of each of its buffers). Empty
        /// for other models.
        private let byteIDs: [UInt32]

        init(_ tokenizer: Tokenizer) {
            self.tokenizer = tokenizer
            self.pieces = tokenizer.pieceCache
            if case .bpe(let bpe) = tokenizer.model {
                self.wholePieces = bpe.ignoreMerges ? bpe.vocabulary : nil
                self.byteIDs = bpe.isByteLevel ? bpe.byteTokens : []
            } else {
                self.wholePieces = nil
                self.byteIDs = []
            }
        }

        /// Appends the ids of `text` (valid UTF-8) to `ids`.
        public mutating func encode(_ text: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            let before = ids.count
            let raw = self.tokenizer.rawTokenMatcher
            if raw.isEmpty {
                self.encodeRun(text, atStart: true, into: &ids)
            } else {
                raw.split(
                    text, skippingSpecial: !self.matchesAddedTokens,
                    plain: { self.encodeRun(UnsafeBufferPointer(rebasing: text[$0]), atStart: $0.lowerBound == 0, into: &ids) },
                    token: { ids.append($0) })
            }
            if self.addsSpecialTokens && !self.tokenizer.postProcessor.isEmpty {
                var sequence = Array(ids[before...])
                for template in self.tokenizer.postProcessor {
                    var next: [UInt32] = []
                    for item in template {
                        switch item {
                        case .sequence: next += sequence
                        case .special(let special): next += special
                        }
                    }
                    sequence = next
                }
                ids.removeSubrange(before...)
                ids += sequence
            }
        }

        /// A run of raw text between added tokens: normalize, find normalized added tokens,
        /// pre-tokenize and encode.
        private mutating func encodeRun(_ text: UnsafeBufferPointer<UInt8>, atStart: Bool, into ids: inout [UInt32]) {
            guard let normalizer = self.tokenizer.normalizer else {
                self.encodeNormalized(text, atStart: atStart, into: &ids)
                return
            }
            let normalized = normalizer.apply(Array(text))
            normalized.withUnsafeBufferPointer { self.encodeNormalized($0, atStart: atStart, into: &ids) }
        }

        private mutating func encodeNormalized(_ text: UnsafeBufferPointer<UInt8>, atStart: Bool, into ids: inout [UInt32]) {
            let matcher = self.tokenizer.normalizedTokenMatcher
            if matcher.isEmpty {
                self.encodeSegment(text, atStart: atStart, into: &ids)
                return
            }
            matcher.split(
                text, skippingSpecial: !self.matchesAddedTokens,
                plain: {
                    self.encodeSegment(UnsafeBufferPointer(rebasing: text[$0]), atStart: atStart && $0.lowerBound == 0, into: &ids)
                },
                token: { ids.append($0) })
        }

        /// Pre-tokenizes one normalized segment and encodes its pieces; `atStart` when it
        /// begins the input.
        private mutating func encodeSegment(_ text: UnsafeBufferPointer<UInt8>, atStart: Bool, into ids: inout [UInt32]) {
            switch self.tokenizer.preTokenizer {
            case .split(let pattern):
                pattern.split(text) { range in
                    self.encodeCached(UnsafeBufferPointer(rebasing: text[range]), into: &ids)
                }
            case .bert(let bert):
                guard case .wordPiece(let model) = self.tokenizer.model else { return }
                bert.words(text) { model.encode(word: $0, into: &ids) }
            case .metaspace(let prepend):
                // Spaces become U+2581 and, per the prepend scheme, one is put in front; the whole
                // segment is then a single piece (Metaspace with split: false).
                let bytes = Self.metaspaceBuffer(text, prepend: prepend == .always || (prepend == .first && atStart))
                guard !bytes.isEmpty else { return }
                bytes.withUnsafeBufferPointer { self.encodePiece($0, into: &ids) }
            case .sentencePiece(let normalizer):
                let bytes = normalizer.normalize(text)
                bytes.withUnsafeBufferPointer { self.encodePiece($0, into: &ids) }
            case .general(let steps):
                var pieces = [PreTokenizerStep.Piece(bytes: Array(text), atOrigin: atStart)]
                for step in steps { pieces = step.apply(pieces) }
                for piece in pieces {
                    piece.bytes.withUnsafeBufferPointer { self.encodePiece($0, into: &ids) }
                }
            }
        }

        /// Encodes a pre-tokenized piece: cut into words first when the vocabulary allows it
        /// (see ``encodeWords(_:into:)``), through the cache.
        @inline(__always)
        private mutating func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            if self.tokenizer.wordsAreIndependent {
                self.encodeWords(piece, into: &ids)
            } else {
                self.encodeCached(piece, into: &ids)
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

        /// Runs the model on one piece.
        @inline(__always)
        private mutating func encodeModel(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            switch self.tokenizer.model {
            case .bpe(let model): model.encode(piece: piece, into: &ids, scratch: &self.scratch)
            case .wordPiece(let model): model.encode(word: piece, into: &ids)
            case .unigram(let model): model.encode(piece: piece, into: &ids, lattice: &self.lattice)
            case .sentencePieceBPE(let model): model.encode(piece, into: &ids, scratch: &self.bpeScratch)
            }
        }

        /// Encodes one piece through the cache of recently seen pieces.
        @inline(__always)
        private mutating func encodeCached(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
            guard piece.count <= Self.cacheablePieceLength, piece.count > 1 else {
                if piece.count == 1 && !self.byteIDs.isEmpty {
                    ids.append(self.byteIDs[Int(piece[0])])
                    return
                }
                self.encodeModel(piece, into: &ids)
                return
            }
            let shortKey = ShortPieceCache.key(piece)
            if shortKey != 0, let packed = self.shortPieces.find(shortKey) {
                Self.appendInline(packed, to: &ids)
                return
            }
            if let packed = self.pieces.find(piece, shortKey: shortKey) {
                // One or two ids live in the entry itself (no second memory access); longer
                // results are in the cache's id arena.
                if packed & Self.inlineFlag != 0 {
                    Self.appendInline(packed, to: &ids)
                    if shortKey != 0 { self.shortPieces.insert(shortKey, value: packed) }
                    return
                }
                ids.append(contentsOf: self.pieces.ids(at: Int(packed >> 32), count: Int(packed & 0xFFFF)))
                return
            }
            let before = ids.count
            if let id = self.wholePieces?.find(piece) {
                ids.append(UInt32(truncatingIfNeeded: id))
            } else {
                self.encodeModel(piece, into: &ids)
            }
            let produced = ids.count - before
            if produced > 0 && produced <= 2 && ids[before...].allSatisfy({ $0 < 1 << 31 }) {
                var packed = Self.inlineFlag | UInt64(ids[before])
                if produced == 2 { packed |= Self.secondFlag | UInt64(ids[before + 1]) << 31 }
                self.pieces.insert(piece, shortKey: shortKey, value: packed, writer: &self.pieceWriter)
                if shortKey != 0 { self.shortPieces.insert(shortKey, value: packed) }
                return
            }
            let stored = ids.withUnsafeBufferPointer { self.pieces.store(UnsafeBufferPointer(rebasing: $0[before...]), writer: &self.pieceWriter) }
            guard let start = stored else { return }
            self.pieces.insert(piece, shortKey: shortKey, value: UInt64(start) << 32 | Self.rangeFlag | UInt64(produced), writer: &self.pieceWriter)
        }

        /// Appends the one or two ids packed in a cache value with `inlineFlag`.
        @inline(__always)
        private static func appendInline(_ packed: UInt64, to ids: inout [UInt32]) {
            ids.append(UInt32(truncatingIfNeeded: packed & 0x7FFF_FFFF))
            if packed & Self.secondFlag != 0 { ids.append(UInt32(truncatingIfNeeded: (packed >> 31) & 0x7FFF_FFFF)) }
        }

        /// U+2581-escaped text as independent words: cut before every U+2581 that follows
        /// another character. Exact only when no vocabulary token has U+2581 after another
        /// character (no merge, and no lattice node, can then cross the cut); the loaders
        /// check that.
        private mutating func encodeWords(_ text: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32]) {
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
