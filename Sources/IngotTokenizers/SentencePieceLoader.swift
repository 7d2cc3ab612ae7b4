import Foundation

/// SentencePiece's text normalization (`normalizer.cc`): rules from the precompiled charsmap
/// (longest match), user-defined symbols passed through, optional removal of extra whitespace,
/// spaces escaped as U+2581 and a dummy prefix.
struct SentencePieceNormalizer: Sendable {
    let charsMap: PrecompiledCharsMap?
    let userDefined: PrefixTrie?
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool

    fileprivate static let marker: [UInt8] = [0xE2, 0x96, 0x81]

    /// What the input at a position normalizes to: its own bytes (a character or user-defined
    /// symbol, copied) or a rule's replacement.
    private enum Prefix {
        case copy(Int)
        case replace([UInt8], consumed: Int)
    }

    @inline(__always)
    private func prefix(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> Prefix {
        if let userDefined {
            var length = 0
            userDefined.forEachPrefix(of: text, from: i) { l, _ in length = l }
            if length > 0 { return .copy(length) }
        }
        if let charsMap, let (length, replacement) = charsMap.longestMatch(text, from: i) {
            return .replace(replacement, consumed: length)
        }
        let lead = text[i]
        return .copy(min(text.count - i, lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4))
    }

    func normalize(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if self.charsMap == nil && self.userDefined == nil { return self.escapeOnly(text) }
        var i = 0
        if self.removeExtraWhitespaces {
            while i < text.count {
                guard case .replace(let r, let length) = self.prefix(text, i) else {
                    if text[i] != 0x20 { break }
                    i += 1
                    continue
                }
                guard r == [0x20] else { break }
                i += length
            }
        }
        guard i < text.count else { return [] }
        var (out, space) = self.begin(capacity: text.count)
        var previousIsSpace = self.removeExtraWhitespaces
        @inline(__always)
        func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            var k = 0
            while previousIsSpace && k < bytes.count && bytes[k] == 0x20 { k += 1 }
            guard k < bytes.count else { return }
            for b in bytes[k...] {
                if self.escapeWhitespaces && b == 0x20 { out += Self.marker } else { out.append(b) }
            }
            previousIsSpace = bytes[bytes.count - 1] == 0x20
        }
        while i < text.count {
            switch self.prefix(text, i) {
            case .copy(let length):
                append(UnsafeBufferPointer(rebasing: text[i..<(i + length)]))
                i += length
            case .replace(let replacement, let length):
                replacement.withUnsafeBufferPointer { append($0) }
                i += length
            }
            if !self.removeExtraWhitespaces { previousIsSpace = false }
        }
        self.finish(&out, space: space)
        return out
    }
}

extension SentencePieceNormalizer {
    /// The output buffer, started with the dummy prefix, and what a space becomes.
    private func begin(capacity: Int) -> (out: [UInt8], space: [UInt8]) {
        let space: [UInt8] = self.escapeWhitespaces ? Self.marker : [0x20]
        var out: [UInt8] = []
        out.reserveCapacity(capacity + capacity / 4 + 3)
        if !self.treatWhitespaceAsSuffix && self.addDummyPrefix { out += space }
        return (out, space)
    }

    /// Drops trailing spaces (with `remove_extra_whitespaces`) and adds the suffix form of the
    /// dummy prefix.
    private func finish(_ out: inout [UInt8], space: [UInt8]) {
        if self.removeExtraWhitespaces {
            while out.count >= space.count && out.suffix(space.count).elementsEqual(space) { out.removeLast(space.count) }
        }
        if self.treatWhitespaceAsSuffix && self.addDummyPrefix { out += space }
    }

    /// The identity normalizer (Llama 2): only the whitespace rules apply, byte by byte.
    private func escapeOnly(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var i = 0
        if self.removeExtraWhitespaces { while i < text.count && text[i] == 0x20 { i += 1 } }
        guard i < text.count else { return [] }
        var (out, space) = self.begin(capacity: text.count)
        var previousIsSpace = self.removeExtraWhitespaces
        while i < text.count {
            let b = text[i]
            i += 1
            if b == 0x20 {
                if previousIsSpace { continue }
                if self.escapeWhitespaces { out += Self.marker } else { out.append(0x20) }
                previousIsSpace = self.removeExtraWhitespaces
            } else {
                out.append(b)
                previousIsSpace = false
            }
        }
        self.finish(&out, space: space)
        return out
    }
}

/// Reads a SentencePiece `.model` file (a `ModelProto` protobuf): BPE or Unigram, with its
/// normalizer spec, as the `sentencepiece` library encodes (no BOS/EOS added, control pieces
/// never matched in text).
struct SentencePieceLoader {
    let path: String
    let file: [UInt8]

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    /// `ModelProto.SentencePiece.Type`.
    enum PieceType: UInt64 {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    struct Piece {
        var text: [UInt8] = []
        var score: Float = 0
        var type: PieceType = .normal
    }

    func load() throws(TokenizerError) -> Tokenizer {
        var pieces: [Piece] = []
        var modelType: UInt64 = 1  // UNIGRAM
        var byteFallback = false
        var unknownID = 0
        var treatWhitespaceAsSuffix = false
        var normalizerName = ""
        var charsMap: [UInt8] = []
        var addDummyPrefix = true
        var removeExtraWhitespaces = true
        var escapeWhitespaces = true
        var sections = Set<Int>()
        do {
            var model = ProtobufReader(self.file)
            while let (field, value) = try model.next() {
                guard case .bytes(let range) = value else { continue }
                sections.insert(field)
                switch field {
                case 1:
                    var piece = Piece()
                    var reader = model.message(range)
                    while let (f, v) = try reader.next() {
                        switch (f, v) {
                        case (1, .bytes(let r)): piece.text = reader.data(r)
                        case (2, .fixed32(let bits)): piece.score = Float(bitPattern: bits)
                        case (3, .varint(let t)):
                            guard let type = PieceType(rawValue: t) else { throw self.fail("piece \(pieces.count) has unknown type \(t)") }
                            piece.type = type
                        default: break
                        }
                    }
                    pieces.append(piece)
                case 2:
                    var reader = model.message(range)
                    while let (f, v) = try reader.next() {
                        switch (f, v) {
                        case (3, .varint(let t)): modelType = t
                        case (35, .varint(let b)): byteFallback = b != 0
                        case (40, .varint(let u)): unknownID = Int(truncatingIfNeeded: u)
                        case (24, .varint(let b)): treatWhitespaceAsSuffix = b != 0
                        case (53, .bytes(let r)) where !r.isEmpty:
                            throw self.fail("pretokenization_delimiter is not supported")
                        default: break
                        }
                    }
                case 3:
                    var reader = model.message(range)
                    while let (f, v) = try reader.next() {
                        switch (f, v) {
                        case (1, .bytes(let r)): normalizerName = reader.string(r)
                        case (2, .bytes(let r)): charsMap = reader.data(r)
                        case (3, .varint(let b)): addDummyPrefix = b != 0
                        case (4, .varint(let b)): removeExtraWhitespaces = b != 0
                        case (5, .varint(let b)): escapeWhitespaces = b != 0
                        case (6, .bytes(let r)) where !r.isEmpty:
                            throw self.fail("normalization_rule_tsv is not supported (only precompiled charsmaps are)")
                        default: break
                        }
                    }
                default: break
                }
            }
        } catch let error as ProtobufReader.Malformed {
            throw self.fail("not a SentencePiece model: \(error)")
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw self.fail("\(error)")
        }
        guard !pieces.isEmpty else { throw self.fail("the model has no pieces") }
        // Real models always carry both specs after the pieces: a file cut between two pieces
        // still parses, and must not load as a smaller vocabulary.
        guard sections.contains(2), sections.contains(3) else {
            throw self.fail("the model lacks its trainer_spec or normalizer_spec (a truncated file?)")
        }
        if let bad = pieces.firstIndex(where: { $0.score.isNaN }) { throw self.fail("piece \(bad) has a NaN score") }
        guard unknownID >= 0, unknownID < pieces.count, pieces[unknownID].type == .unknown else {
            throw self.fail("unk_id \(unknownID) is not an UNKNOWN piece")
        }

        var table = ByteKeyedTable(minimumCapacity: pieces.count)
        var userDefined = PrefixTrie()
        var hasUserDefined = false
        var tokenBytes = TokenBytes()
        var added: [AddedToken] = []
        var byteIDs = [UInt32](repeating: 0, count: 256)
        var byteCount = 0
        var crossesWords = false
        for (id, piece) in pieces.enumerated() {
            switch piece.type {
            case .normal, .userDefined, .unused:
                if table.find(piece.text) == nil { table.insert(piece.text, value: UInt64(id)) }
                if piece.type == .userDefined {
                    userDefined.insert(piece.text, value: Int32(id))
                    hasUserDefined = true
                }
                crossesWords = crossesWords || piece.text.withUnsafeBufferPointer { Self.hasMarkerAfterCharacter($0) }
                tokenBytes.append(Self.unescaped(piece.text))
            case .byte:
                guard let b = Self.byteValue(piece.text) else { throw self.fail("byte piece \(id) is not <0xXX>") }
                byteIDs[Int(b)] = UInt32(id)
                byteCount += 1
                tokenBytes.append([b])
            case .control, .unknown:
                added.append(AddedToken(id: UInt32(id), content: String(decoding: piece.text, as: UTF8.self), isSpecial: true))
                tokenBytes.append(piece.text)
            }
        }
        if byteFallback && byteCount != 256 { throw self.fail("byte_fallback needs 256 byte pieces, found \(byteCount)") }

        let charsMapValue: PrecompiledCharsMap?
        if charsMap.isEmpty {
            charsMapValue = nil
        } else {
            do { charsMapValue = try PrecompiledCharsMap(charsMap) } catch { throw self.fail("normalizer '\(normalizerName)' has a malformed precompiled_charsmap") }
        }
        let normalizer = SentencePieceNormalizer(
            charsMap: charsMapValue, userDefined: hasUserDefined ? userDefined : nil, addDummyPrefix: addDummyPrefix,
            removeExtraWhitespaces: removeExtraWhitespaces, escapeWhitespaces: escapeWhitespaces,
            treatWhitespaceAsSuffix: treatWhitespaceAsSuffix)
        let hasSpacePiece = table.find([0xE2, 0x96, 0x81]) != nil
        let wordsAreIndependent = escapeWhitespaces && !treatWhitespaceAsSuffix && !crossesWords && hasSpacePiece
        let model: TokenModel
        switch modelType {
        case 2:
            model = .sentencePieceBPE(
                try SentencePieceBPE(
                    pieceTexts: pieces.map { [.normal, .userDefined, .unused].contains($0.type) ? $0.text : nil },
                    scores: pieces.map(\.score), isUnused: pieces.map { $0.type == .unused },
                    userDefined: hasUserDefined ? userDefined : nil, unknown: UInt32(unknownID),
                    byteFallback: byteFallback ? byteIDs : nil, fail: self.fail))
        case 1:
            // Unigram: normal pieces by score; user-defined ones always win (length * max - 0.1,
            // as unigram_model.cc scores them); unused pieces are not in the lattice.
            let normalScores = pieces.filter { $0.type == .normal }.map(\.score)
            let maxScore = normalScores.max() ?? 0
            var trie = PrefixTrie(minimumCapacity: pieces.count * 4)
            var scores = [Double](repeating: 0, count: pieces.count)
            for (id, piece) in pieces.enumerated() {
                switch piece.type {
                case .normal:
                    trie.insert(piece.text, value: Int32(id))
                    scores[id] = Double(piece.score)
                case .userDefined:
                    trie.insert(piece.text, value: Int32(id))
                    scores[id] = Double(Float(piece.text.count) * maxScore - 0.1)
                default: break
                }
            }
            model = .unigram(
                UnigramModel(
                    trie: trie, scores: scores, vocabulary: table, unknown: UInt32(unknownID), fuseUnknown: true,
                    byteFallback: byteFallback ? byteIDs : nil, singlePrecision: true,
                    minimumScore: Double(normalScores.min() ?? 0)))
        default:
            throw self.fail("SentencePiece model type \(modelType) is not supported (supported: UNIGRAM, BPE)")
        }
        var tokenizer = Tokenizer(
            path: self.path, model: model, preTokenizer: .sentencePiece(normalizer),
            addedTokens: added, tokenBytes: tokenBytes, matchesAddedTokensInText: false)
        tokenizer.decodeStripsLeadingSpace = addDummyPrefix && !treatWhitespaceAsSuffix
        // Viterbi is never cut into words: float rounding depends on the running path score.
        if case .sentencePieceBPE = model { tokenizer.wordsAreIndependent = wordsAreIndependent }
        return tokenizer
    }

    /// Whether a piece has U+2581 after some other character ("a▁b"): then a merge could cross
    /// a word start and the text must stay one piece.
    static func hasMarkerAfterCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previousIsOther = false
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count && bytes[i] == 0xE2 && bytes[i + 1] == 0x96 && bytes[i + 2] == 0x81 {
                if previousIsOther { return true }
                i += 3
            } else {
                previousIsOther = true
                i += 1
            }
        }
        return false
    }

    /// A piece's text with U+2581 as a space again, for decoding.
    static func unescaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count && bytes[i] == 0xE2 && bytes[i + 1] == 0x96 && bytes[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The byte a `<0xXX>` piece stands for.
    static func byteValue(_ text: [UInt8]) -> UInt8? {
        guard text.count == 6, text.starts(with: Array("<0x".utf8)), text[5] == 0x3E else { return nil }
        return UInt8(String(decoding: text[3..<5], as: UTF8.self), radix: 16)
    }
}
