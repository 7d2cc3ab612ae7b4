import IngotJSON

/// Reads Mistral's Tekken tokenizer (`tekken_*.json`): tiktoken-style ranks in JSON, with the
/// split pattern in `config.pattern`, as `mistral-common` loads it.
///
/// Ids 0..<`default_num_special_tokens` are control tokens (from `special_tokens`, or the fixed
/// list older files imply, padded with `<SPECIAL_n>`); rank r is id r + that count; only the
/// first `default_vocab_size` ids are used. Control tokens are never matched in text.
struct TekkenLoader {
    let path: String
    /// The file as a tree, without `vocab`: that is `vocabRange` of `file`, read in place (131k
    /// entries cost more as a tree than the work done with them).
    let json: JSONValue
    let file: [UInt8]
    let vocabRange: Range<Int>

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    /// The range of the `vocab` array when `json` (with `vocab` deferred) has Tekken's top-level shape.
    static func vocabRange(_ json: JSONValue, file: [UInt8], deferred: [String: Range<Int>]) -> Range<Int>? {
        guard json["config"]?["pattern"] != nil, let range = deferred["vocab"], file[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        return range
    }

    /// mistral-common's implied control tokens for files without a `special_tokens` list.
    static let impliedSpecialTokens = [
        "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]",
        "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]",
    ]

    func load() throws(TokenizerError) -> Tokenizer {
        let config = self.json["config"]!
        guard let regex = config["pattern"]?.stringValue else { throw self.fail("config.pattern is not a string") }
        guard let pattern = SplitPattern(regex: regex) else {
            throw self.fail("Tekken pattern \(regex.debugDescription) has no scanner yet")
        }
        guard let vocabularySize = config["default_vocab_size"]?.intValue,
            let specialCount = config["default_num_special_tokens"]?.intValue, specialCount >= 0,
            vocabularySize > specialCount, vocabularySize < 1 << 31, specialCount <= TokenIDs.gapAllowance
        else {
            throw self.fail("config needs default_vocab_size > default_num_special_tokens >= 0")
        }
        var specials: [String]
        if let list = self.json["special_tokens"]?.arrayValue {
            specials = Array(repeating: "", count: list.count)
            for entry in list {
                guard let rank = entry["rank"]?.intValue, rank >= 0, rank < list.count, let text = entry["token_str"]?.stringValue
                else { throw self.fail("a special token lacks a valid rank or token_str") }
                specials[rank] = text
            }
        } else {
            specials = Self.impliedSpecialTokens
        }
        guard specials.count <= specialCount else { throw self.fail("more special tokens than default_num_special_tokens") }
        for i in specials.count..<specialCount { specials.append("<SPECIAL_\(i)>") }

        let inner = vocabularySize - specialCount
        let (ranks, entries) = try self.readVocab(ranksBelow: inner)
        guard entries >= inner else {
            throw self.fail("vocab has \(entries) ranks; default_vocab_size needs \(inner)")
        }
        guard ranks.count == inner else { throw self.fail("vocab lacks some of the ranks below \(inner)") }
        let (model, ranked) = try TiktokenLoader.rankedModel(ranks, idOffset: specialCount, fail: self.fail)
        var tokenBytes = ranked
        var added: [AddedToken] = []
        for (id, text) in specials.enumerated() {
            added.append(AddedToken(id: UInt32(id), content: text, isSpecial: true))
            tokenBytes.set(id, to: text.utf8)
        }
        return Tokenizer(
            path: self.path, bpe: model, preTokenizer: .split(pattern), addedTokens: added, tokenBytes: tokenBytes,
            matchesAddedTokensInText: false)
    }

    /// Reads the `vocab` array in place: each entry's `rank` and base64 `token_bytes` (other
    /// members skipped), keeping ranks below `limit`. Returns them and the number of entries.
    private func readVocab(ranksBelow limit: Int) throws(TokenizerError) -> (RankedTokens, entries: Int) {
        var ranks = RankedTokens()
        var seen = [Bool](repeating: false, count: limit)
        var entries = 0
        var key: [UInt8] = []
        var encoded: [UInt8] = []
        var scratch: [UInt8] = []
        try self.file.withUnsafeBytes { file in
            Result { () throws(TokenizerError) in
                var reader = try Result { () throws(JSONError) in try JSONPullReader(UnsafeRawBufferPointer(rebasing: file[self.vocabRange])) }
                    .mapError { self.fail("vocab is not valid JSON: \($0)") }.get()
                try TokenizerError.readingJSON("vocab", fail: self.fail) {
                    guard try reader.enterArray() else { return }
                    repeat {
                        let index = entries
                        entries += 1
                        var rank: Int?
                        var hasBytes = false
                        guard reader.peekKind() == .object else { throw self.fail("vocab entry \(index) is not an object") }
                        if try reader.enterObject() {
                            repeat {
                                key.removeAll(keepingCapacity: true)
                                try reader.readKey(into: &key)
                                if key.elementsEqual("rank".utf8) {
                                    rank = try reader.readValue().intValue
                                } else if key.elementsEqual("token_bytes".utf8), reader.peekKind() == .string {
                                    encoded.removeAll(keepingCapacity: true)
                                    try reader.readString(into: &encoded)
                                    hasBytes = true
                                } else {
                                    try reader.skipValue()
                                }
                            } while try reader.nextMember()
                        }
                        guard let rank, rank >= 0, hasBytes else { throw self.fail("vocab entry \(index) lacks a rank or base64 token_bytes") }
                        guard rank < limit else {
                            scratch.removeAll(keepingCapacity: true)
                            guard Base64.decode(encoded, appendingTo: &scratch) else {
                                throw self.fail("vocab entry \(index) lacks a rank or base64 token_bytes")
                            }
                            continue
                        }
                        guard !seen[rank] else { throw self.fail("vocab rank \(rank) appears twice") }
                        seen[rank] = true
                        guard ranks.append(base64: encoded, rank: rank) else {
                            throw self.fail("vocab entry \(index) lacks a rank or base64 token_bytes")
                        }
                    } while try reader.nextElement()
                    try reader.finish()
                }
            }
        }.get()
        return (ranks, entries)
    }
}
