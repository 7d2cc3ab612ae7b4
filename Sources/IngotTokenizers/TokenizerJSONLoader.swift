import IngotJSON

/// Reads the HuggingFace `tokenizer.json` schema into a ``Tokenizer``, rejecting by name every
/// component it does not implement.
struct TokenizerJSONLoader {
    let path: String
    let json: JSONValue

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    func load() throws(TokenizerError) -> Tokenizer {
        guard case .object = self.json else { throw self.fail("top level is not a JSON object") }
        try self.checkNormalizer()
        let pattern = try self.preTokenizerPattern()
        guard let model = self.json["model"], case .object = model else { throw self.fail("missing 'model'") }
        let type = model["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else { throw self.fail("model type '\(type)' is not supported yet (supported: BPE)") }
        if let dropout = model["dropout"], !dropout.isNull { throw self.fail("BPE dropout is not supported") }
        if model["byte_fallback"]?.boolValue == true {
            throw self.fail("BPE byte_fallback (SentencePiece-style BPE) is not supported yet")
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
            guard let bytes = ByteLevel.bytes(of: token) else {
                throw self.fail("vocabulary entry '\(token)' is not byte-level encoded")
            }
            vocabulary.insert(bytes, value: UInt64(id))
            if tokenBytes.count <= id { tokenBytes.append(contentsOf: repeatElement([], count: id + 1 - tokenBytes.count)) }
            tokenBytes[id] = bytes
        }

        var byteTokens = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
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
                valid = ByteLevel.appendBytes(of: String(s[..<space]), to: &buffer)
                split = buffer.count
                valid = valid && ByteLevel.appendBytes(of: String(s[s.utf8.index(after: space)...]), to: &buffer)
            case .array(let a) where a.count == 2 && a[0].stringValue != nil && a[1].stringValue != nil:
                valid = ByteLevel.appendBytes(of: a[0].stringValue!, to: &buffer)
                split = buffer.count
                valid = valid && ByteLevel.appendBytes(of: a[1].stringValue!, to: &buffer)
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

        var added: [AddedToken] = []
        for entry in self.json["added_tokens"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.intValue, let content = entry["content"]?.stringValue else {
                throw self.fail("an added token lacks 'id' or 'content'")
            }
            for flag in ["lstrip", "rstrip", "single_word"] where entry[flag]?.boolValue == true {
                throw self.fail("added token '\(content)' sets \(flag), which is not supported yet")
            }
            added.append(AddedToken(id: UInt32(id), content: content, isSpecial: entry["special"]?.boolValue ?? false))
            if tokenBytes.count <= id { tokenBytes.append(contentsOf: repeatElement([], count: id + 1 - tokenBytes.count)) }
            tokenBytes[id] = Array(content.utf8)
        }

        let bpe = BPEModel(
            byteTokens: byteTokens, vocabulary: vocabulary, merges: merges,
            ignoreMerges: model["ignore_merges"]?.boolValue ?? false)
        return Tokenizer(path: self.path, model: bpe, pattern: pattern, addedTokens: added, tokenBytes: tokenBytes)
    }

    private func checkNormalizer() throws(TokenizerError) {
        guard let normalizer = self.json["normalizer"], !normalizer.isNull else { return }
        let type = normalizer["type"]?.stringValue ?? "?"
        throw self.fail("normalizer '\(type)' is not supported yet")
    }

    private func preTokenizerPattern() throws(TokenizerError) -> SplitPattern {
        guard let pre = self.json["pre_tokenizer"], !pre.isNull else {
            throw self.fail("a byte-level BPE without a pre_tokenizer is not supported yet")
        }
        let type = pre["type"]?.stringValue ?? "?"
        switch type {
        case "ByteLevel":
            try self.checkByteLevel(pre, usesRegex: true)
            return .gpt2
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
            return pattern
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
}
