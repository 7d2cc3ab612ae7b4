import IngotJSON

/// Reads Mistral's Tekken tokenizer (`tekken_*.json`): tiktoken-style ranks in JSON, with the
/// split pattern in `config.pattern`, as `mistral-common` loads it.
///
/// Ids 0..<`default_num_special_tokens` are control tokens (from `special_tokens`, or the fixed
/// list older files imply, padded with `<SPECIAL_n>`); rank r is id r + that count; only the
/// first `default_vocab_size` ids are used. Control tokens are never matched in text.
struct TekkenLoader {
    let path: String
    let json: JSONValue

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    /// Whether `json` has Tekken's top-level shape.
    static func recognizes(_ json: JSONValue) -> Bool {
        json["config"]?["pattern"] != nil && json["vocab"]?.arrayValue != nil
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

        let entries = self.json["vocab"]!.arrayValue!
        let inner = vocabularySize - specialCount
        guard entries.count >= inner else {
            throw self.fail("vocab has \(entries.count) ranks; default_vocab_size needs \(inner)")
        }
        var ranks: [(bytes: [UInt8], rank: Int)] = []
        ranks.reserveCapacity(inner)
        var seen = [Bool](repeating: false, count: inner)
        for (index, entry) in entries.enumerated() {
            guard let rank = entry["rank"]?.intValue, rank >= 0, let encoded = entry["token_bytes"]?.stringValue,
                let bytes = Base64.decode(encoded.utf8)
            else { throw self.fail("vocab entry \(index) lacks a rank or base64 token_bytes") }
            guard rank < inner else { continue }
            guard !seen[rank] else { throw self.fail("vocab rank \(rank) appears twice") }
            seen[rank] = true
            ranks.append((bytes, rank))
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
}
