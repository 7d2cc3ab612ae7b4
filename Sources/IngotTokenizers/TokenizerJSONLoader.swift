import IngotJSON

/// Reads the HuggingFace `tokenizer.json` schema into a ``Tokenizer``, rejecting by name every
/// component it does not implement.
struct TokenizerJSONLoader {
    let path: String
    let json: JSONValue

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    func load() throws(TokenizerError) -> Tokenizer {
        guard case .object = self.json else { throw self.fail("top level is not a JSON object") }
        if self.json["model"]?["type"]?.stringValue == "WordPiece" {
            return try self.loadWordPiece()
        }
        try self.checkNormalizer()
        let preTokenizer = try self.preTokenizer()
        // Byte-level vocabularies spell bytes as printable characters; SentencePiece ones are plain
        // UTF-8 with U+2581 for spaces and <0xXX> pieces for byte fallback.
        let byteLevel: Bool
        if case .split = preTokenizer { byteLevel = true } else { byteLevel = false }
        guard let model = self.json["model"], case .object = model else { throw self.fail("missing 'model'") }
        let type = model["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else { throw self.fail("model type '\(type)' is not supported yet (supported: BPE)") }
        if let dropout = model["dropout"], !dropout.isNull { throw self.fail("BPE dropout is not supported") }
        let byteFallback = model["byte_fallback"]?.boolValue ?? false
        if byteFallback && byteLevel {
            throw self.fail("BPE byte_fallback with a byte-level pre-tokenizer is not supported")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key]?.stringValue, !value.isEmpty { throw self.fail("BPE \(key) is not supported yet") }
        }

        guard let vocabMembers = model["vocab"]?.objectValue else { throw self.fail("model.vocab is not an object") }
        var vocabulary = ByteKeyedTable(minimumCapacity: vocabMembers.count)
        var tokenBytes: [[UInt8]] = []
        for (token, idValue) in vocabMembers {
            guard let id = idValue.intValue, id >= 0, id < 1 << 31 else {
                throw self.fail("vocabulary entry '\(token)' has an invalid id")
            }
            guard let bytes = byteLevel ? ByteLevel.bytes(of: token) : Array(token.utf8) else {
                throw self.fail("vocabulary entry '\(token)' is not byte-level encoded")
            }
            vocabulary.insert(bytes, value: UInt64(id))
            if tokenBytes.count <= id { tokenBytes.append(contentsOf: repeatElement([], count: id + 1 - tokenBytes.count)) }
            tokenBytes[id] = bytes
        }

        var byteTokens = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 where byteLevel {
            guard let id = vocabulary.find([UInt8(b)]) else {
                throw self.fail("byte-level vocabulary lacks byte 0x\(String(b, radix: 16))")
            }
            byteTokens[b] = UInt32(id)
        }

        guard let mergeList = model["merges"]?.arrayValue else { throw self.fail("model.merges is not an array") }
        var merges = MergeTable(capacity: mergeList.count)
        // One buffer for "left right" as bytes: left and right are slices of it, and the merged
        // token is the buffer without the separator, so no per-merge allocation.
        var buffer: [UInt8] = []
        for (rank, entry) in mergeList.enumerated() {
            buffer.removeAll(keepingCapacity: true)
            let split: Int
            var valid = true
            switch entry {
            case .string(let s):
                guard let space = s.utf8.firstIndex(of: 0x20) else { throw self.fail("merge \(rank) '\(s)' is not two tokens") }
                valid = Self.append(String(s[..<space]), byteLevel: byteLevel, to: &buffer)
                split = buffer.count
                valid = valid && Self.append(String(s[s.utf8.index(after: space)...]), byteLevel: byteLevel, to: &buffer)
            case .array(let a) where a.count == 2 && a[0].stringValue != nil && a[1].stringValue != nil:
                valid = Self.append(a[0].stringValue!, byteLevel: byteLevel, to: &buffer)
                split = buffer.count
                valid = valid && Self.append(a[1].stringValue!, byteLevel: byteLevel, to: &buffer)
            default:
                throw self.fail("merge \(rank) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            let ids = buffer.withUnsafeBufferPointer { all -> (UInt64, UInt64, UInt64)? in
                guard valid, split > 0, split < all.count,
                    let left = vocabulary.find(UnsafeBufferPointer(rebasing: all[..<split])),
                    let right = vocabulary.find(UnsafeBufferPointer(rebasing: all[split...])),
                    let merged = vocabulary.find(all)
                else { return nil }
                return (left, right, merged)
            }
            guard let (leftID, rightID, mergedID) = ids else {
                throw self.fail("merge \(rank) \(entry) refers to tokens not in the vocabulary")
            }
            merges.insert(left: UInt32(leftID), right: UInt32(rightID), rank: UInt32(rank), merged: UInt32(mergedID))
        }

        let added = try self.addedTokens(recordingBytesIn: &tokenBytes)

        var bpe = BPEModel(
            byteTokens: byteTokens, vocabulary: vocabulary, merges: merges,
            ignoreMerges: model["ignore_merges"]?.boolValue ?? false)
        if !byteLevel {
            var fallback: [UInt32]?
            if byteFallback {
                var ids = [UInt32](repeating: 0, count: 256)
                for b in 0..<256 {
                    let name = "<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">"
                    guard let id = vocabulary.find(Array(name.utf8)) else { throw self.fail("byte_fallback needs the token \(name)") }
                    ids[b] = UInt32(id)
                    tokenBytes[Int(id)] = [UInt8(b)]  // decodes to the byte itself
                }
                fallback = ids
            }
            let unknown = model["unk_token"]?.stringValue.flatMap { vocabulary.find(Array($0.utf8)) }.map { UInt32($0) }
            bpe.alphabet = .characters(byteFallback: fallback, unknown: unknown, fuseUnknown: model["fuse_unk"]?.boolValue ?? false)
            bpe.wordsAreIndependent = !vocabMembers.contains { Self.hasMarkerAfterCharacter($0.key) }
            // Decoding: U+2581 is a space again.
            for i in tokenBytes.indices where !tokenBytes[i].isEmpty && !(fallback?.contains(UInt32(i)) ?? false) {
                tokenBytes[i] = Self.replacingMetaspace(tokenBytes[i])
            }
        }
        return Tokenizer(
            path: self.path, bpe: bpe, preTokenizer: preTokenizer, addedTokens: added, tokenBytes: tokenBytes,
            decodeStripsLeadingSpace: !byteLevel)
    }

    /// Whether a SentencePiece piece has U+2581 after some other character ("a▁b").
    private static func hasMarkerAfterCharacter(_ token: String) -> Bool {
        var previousIsOther = false
        for scalar in token.unicodeScalars {
            if scalar == "\u{2581}" {
                if previousIsOther { return true }
            } else {
                previousIsOther = true
            }
        }
        return false
    }

    private static func append(_ token: String, byteLevel: Bool, to buffer: inout [UInt8]) -> Bool {
        if byteLevel { return ByteLevel.appendBytes(of: token, to: &buffer) }
        buffer.append(contentsOf: token.utf8)
        return true
    }

    private static func replacingMetaspace(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
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

    private func checkNormalizer() throws(TokenizerError) {
        guard let normalizer = self.json["normalizer"], !normalizer.isNull else { return }
        let type = normalizer["type"]?.stringValue ?? "?"
        throw self.fail("normalizer '\(type)' is not supported yet")
    }

    private func preTokenizer() throws(TokenizerError) -> PreTokenizer {
        guard let pre = self.json["pre_tokenizer"], !pre.isNull else {
            throw self.fail("a byte-level BPE without a pre_tokenizer is not supported yet")
        }
        let type = pre["type"]?.stringValue ?? "?"
        switch type {
        case "ByteLevel":
            try self.checkByteLevel(pre, usesRegex: true)
            return .split(.gpt2)
        case "Metaspace":
            guard pre["replacement"]?.stringValue == "\u{2581}" else {
                throw self.fail("Metaspace with replacement \(pre["replacement"]?.stringValue ?? "?") is not supported yet")
            }
            guard pre["split"]?.boolValue == false else {
                throw self.fail("Metaspace with split: true is not supported yet")
            }
            switch pre["prepend_scheme"]?.stringValue ?? (pre["add_prefix_space"]?.boolValue == false ? "never" : "always") {
            case "always": return .metaspace(prepend: .always)
            case "first": return .metaspace(prepend: .first)
            case "never": return .metaspace(prepend: .never)
            case let other: throw self.fail("Metaspace prepend_scheme '\(other)' is not supported")
            }
        case "Sequence":
            // Split(regex, Isolated) then ByteLevel without its own regex: Llama 3, Qwen, ...
            guard let steps = pre["pretokenizers"]?.arrayValue, steps.count == 2,
                steps[0]["type"]?.stringValue == "Split", steps[1]["type"]?.stringValue == "ByteLevel"
            else {
                let names = (pre["pretokenizers"]?.arrayValue ?? []).map { $0["type"]?.stringValue ?? "?" }
                throw self.fail("pre_tokenizer Sequence \(names) is not supported yet (supported: [Split, ByteLevel])")
            }
            let split = steps[0]
            guard let regex = split["pattern"]?["Regex"]?.stringValue else {
                throw self.fail("Split with a string pattern is not supported yet")
            }
            guard split["behavior"]?.stringValue == "Isolated", split["invert"]?.boolValue != true else {
                throw self.fail("Split behavior '\(split["behavior"]?.stringValue ?? "?")' (invert \(split["invert"]?.boolValue ?? false)) is not supported yet")
            }
            guard let pattern = SplitPattern(regex: regex) else {
                throw self.fail("Split regex \(regex.debugDescription) has no scanner yet")
            }
            try self.checkByteLevel(steps[1], usesRegex: false)
            return .split(pattern)
        default:
            throw self.fail("pre_tokenizer '\(type)' is not supported yet")
        }
    }

    private func checkByteLevel(_ pre: JSONValue, usesRegex: Bool) throws(TokenizerError) {
        if pre["add_prefix_space"]?.boolValue == true {
            throw self.fail("ByteLevel add_prefix_space is not supported yet")
        }
        guard (pre["use_regex"]?.boolValue ?? true) == usesRegex else {
            throw self.fail(usesRegex ? "ByteLevel without its regex is not supported yet" : "ByteLevel with its own regex after a Split is not supported yet")
        }
    }

    /// The `added_tokens` list; each token's text becomes its decoding.
    private func addedTokens(recordingBytesIn tokenBytes: inout [[UInt8]]) throws(TokenizerError) -> [AddedToken] {
        var added: [AddedToken] = []
        for entry in self.json["added_tokens"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.intValue, id >= 0, id < 1 << 31, let content = entry["content"]?.stringValue else {
                throw self.fail("an added token lacks a valid 'id' or 'content'")
            }
            for flag in ["lstrip", "rstrip", "single_word"] where entry[flag]?.boolValue == true {
                throw self.fail("added token '\(content)' sets \(flag), which is not supported yet")
            }
            added.append(AddedToken(id: UInt32(id), content: content, isSpecial: entry["special"]?.boolValue ?? false))
            if tokenBytes.count <= id { tokenBytes.append(contentsOf: repeatElement([], count: id + 1 - tokenBytes.count)) }
            tokenBytes[id] = Array(content.utf8)
        }
        return added
    }

    /// BERT: BertNormalizer + BertPreTokenizer + WordPiece.
    private func loadWordPiece() throws(TokenizerError) -> Tokenizer {
        let model = self.json["model"]!
        guard let normalizer = self.json["normalizer"], normalizer["type"]?.stringValue == "BertNormalizer" else {
            throw self.fail("WordPiece without BertNormalizer (normalizer '\(self.json["normalizer"]?["type"]?.stringValue ?? "null")') is not supported yet")
        }
        guard self.json["pre_tokenizer"]?["type"]?.stringValue == "BertPreTokenizer" else {
            throw self.fail("WordPiece without BertPreTokenizer is not supported yet")
        }
        let lowercase = normalizer["lowercase"]?.boolValue ?? true
        let bert = BertText(
            cleanText: normalizer["clean_text"]?.boolValue ?? true,
            chineseCharacters: normalizer["handle_chinese_chars"]?.boolValue ?? true,
            // HuggingFace: strip_accents null means "as lowercase".
            stripAccents: normalizer["strip_accents"]?.boolValue ?? lowercase,
            lowercase: lowercase)
        let prefix = Array((model["continuing_subword_prefix"]?.stringValue ?? "##").utf8)
        guard let vocab = model["vocab"]?.objectValue else { throw self.fail("model.vocab is not an object") }
        var initial = ByteKeyedTable(minimumCapacity: vocab.count)
        var continuation = ByteKeyedTable(minimumCapacity: vocab.count)
        var tokenBytes: [[UInt8]] = []
        for (token, idValue) in vocab {
            guard let id = idValue.intValue, id >= 0, id < 1 << 31 else { throw self.fail("vocabulary entry '\(token)' has an invalid id") }
            let bytes = Array(token.utf8)
            initial.insert(bytes, value: UInt64(id))
            if bytes.count > prefix.count && bytes.starts(with: prefix) {
                continuation.insert(Array(bytes[prefix.count...]), value: UInt64(id))
            }
            if tokenBytes.count <= id { tokenBytes.append(contentsOf: repeatElement([], count: id + 1 - tokenBytes.count)) }
            tokenBytes[id] = bytes
        }
        let unknownName = model["unk_token"]?.stringValue ?? "[UNK]"
        guard let unknown = initial.find(Array(unknownName.utf8)) else { throw self.fail("unknown token '\(unknownName)' is not in the vocabulary") }
        let added = try self.addedTokens(recordingBytesIn: &tokenBytes)
        let wordPiece = WordPieceModel(
            initial: initial, continuation: continuation, unknown: UInt32(unknown),
            maxCharacters: model["max_input_chars_per_word"]?.intValue ?? 100)
        return Tokenizer(path: self.path, wordPiece: wordPiece, preTokenizer: .bert(bert), addedTokens: added, tokenBytes: tokenBytes)
    }
}
