import Foundation
import IngotJSON

/// Reads the HuggingFace `tokenizer.json` schema (current and 2020-era) into a ``Tokenizer``,
/// rejecting by name every component it does not implement.
struct TokenizerJSONLoader {
    let path: String
    /// The file as a tree, without `model.vocab` and `model.merges`: those are ranges of `file`
    /// (see ``deferredMembers``), read in place for BPE and parsed on demand otherwise.
    let json: JSONValue
    let file: [UInt8]
    let deferred: [String: Range<Int>]

    /// The members left out of the tree: a tokenizer.json's `model.vocab` and `model.merges`,
    /// and a Tekken file's `vocab` (see ``TekkenLoader``).
    static let deferredMembers = JSONValue.DeferredMembers(of: "model", ["vocab", "merges"], topLevel: ["vocab"])

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    func load() throws(TokenizerError) -> Tokenizer {
        guard case .object = self.json else { throw self.fail("top level is not a JSON object") }
        guard var modelJSON = self.json["model"], case .object = modelJSON else { throw self.fail("missing 'model'") }
        let type = self.modelType(modelJSON)
        if type != "BPE" { modelJSON = try self.withDeferredMembers(modelJSON) }
        var normalizer = try self.normalizer(self.json["normalizer"])
        let steps = try self.preTokenizerSteps(self.json["pre_tokenizer"])
        let byteLevel = steps.contains { if case .byteLevel = $0 { true } else { false } }

        var tokenBytes = TokenBytes()
        var canCutAtMarkers = false
        let model: TokenModel
        switch type {
        case "BPE":
            let bpe = try self.bpe(modelJSON, byteLevel: byteLevel, tokenBytes: &tokenBytes)
            model = .bpe(bpe.model)
            canCutAtMarkers = bpe.canCutAtMarkers
        case "WordPiece": model = .wordPiece(try self.wordPiece(modelJSON, tokenBytes: &tokenBytes))
        case "Unigram": model = .unigram(try self.unigram(modelJSON, tokenBytes: &tokenBytes))
        default: throw self.fail("model type '\(type)' is not supported (supported: BPE, WordPiece, Unigram)")
        }
        let added = try self.addedTokens(model: model, byteLevel: byteLevel, recordingBytesIn: &tokenBytes)

        // Fused fast paths for the common configurations; everything else runs the steps.
        var preTokenizer = PreTokenizer.general(steps)
        switch (model, steps.count == 1 ? steps[0] : nil, steps.count == 2 ? (steps[0], steps[1]) : nil) {
        case (.bpe, .byteLevel(false, true)?, _) where normalizer == nil:
            preTokenizer = .split(.gpt2)
        case (.bpe, _, (.split(.scanner(let pattern), .isolated, false), .byteLevel(false, false))?) where normalizer == nil:
            preTokenizer = .split(pattern)
        case (.bpe(let bpe), .metaspace(let replacement, let prepend, false)?, _)
        where normalizer == nil && replacement == Self.marker && !bpe.isByteLevel:
            preTokenizer = .metaspace(prepend: prepend)
        case (.wordPiece, .bert?, _):
            if case .bert(let bert)? = normalizer, !added.contains(where: \.matchesNormalizedText) {
                preTokenizer = .bert(bert)
                normalizer = nil
            }
        default:
            break
        }

        var tokenizer = Tokenizer(
            path: self.path, model: model, normalizer: normalizer, preTokenizer: preTokenizer, addedTokens: added,
            tokenBytes: tokenBytes)
        tokenizer.postProcessor = try self.postProcessor(self.json["post_processor"], tokenizer: tokenizer)
        tokenizer.decodeStripsLeadingSpace = self.decoderStripsLeadingSpace(self.json["decoder"])
        // Cutting escaped text into words is exact for BPE when no entry has U+2581 after
        // another character (Unigram is never cut: Viterbi's rounding depends on the running
        // path score, so ties could break differently).
        if case .bpe(let bpe) = model, !bpe.isByteLevel {
            tokenizer.wordsAreIndependent = canCutAtMarkers
        }
        return tokenizer
    }

    static let marker: [UInt8] = [0xE2, 0x96, 0x81]

    // MARK: Models

    /// The model's "type"; the 2020-era schema has none: the models are told apart by their fields.
    private func modelType(_ model: JSONValue) -> String {
        if let type = model["type"]?.stringValue { return type }
        if self.deferred["model.merges"] != nil { return "BPE" }
        if let vocab = self.deferred["model.vocab"], self.file[vocab.lowerBound] == UInt8(ascii: "[") { return "Unigram" }
        return model["max_input_chars_per_word"] != nil ? "WordPiece" : "?"
    }

    /// `model` with its deferred members parsed into it, for the models read from the tree.
    private func withDeferredMembers(_ model: JSONValue) throws(TokenizerError) -> JSONValue {
        guard case .object(var members) = model else { return model }
        for (path, range) in self.deferred.sorted(by: { $0.value.lowerBound < $1.value.lowerBound }) where path.hasPrefix("model.") {
            do {
                members.append((String(path.dropFirst("model.".count)), try JSONValue.parse(self.file[range], floats: .serdeJSON)))
            } catch {
                throw self.fail("\(path) is not valid JSON: \(error)")
            }
        }
        return .object(members)
    }

    private func bpe(
        _ model: JSONValue, byteLevel: Bool, tokenBytes: inout TokenBytes
    ) throws(TokenizerError) -> (model: BPEModel, canCutAtMarkers: Bool) {
        if let dropout = model["dropout"], !dropout.isNull { throw self.fail("BPE dropout is not supported") }
        let byteFallback = model["byte_fallback"]?.boolValue ?? false
        if byteFallback && byteLevel {
            throw self.fail("BPE byte_fallback with a byte-level pre-tokenizer is not supported")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key]?.stringValue, !value.isEmpty { throw self.fail("BPE \(key) is not supported") }
        }
        guard let vocab = self.deferred["model.vocab"] else { throw self.fail("model.vocab is not an object") }
        guard let mergeList = self.deferred["model.merges"] else { throw self.fail("model.merges is not an array") }
        let fail = { @Sendable [path] (message: String) in TokenizerError(path: path, message) }
        let (words, resolved) = try self.file.withUnsafeBytes { file in
            Result { () throws(TokenizerError) in
                try BPETableReader(file: file, byteLevel: byteLevel, fail: fail).read(vocab: vocab, merges: mergeList)
            }
        }.get()
        let vocabulary = words.table
        tokenBytes = words.tokenBytes

        var byteTokens = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 where byteLevel {
            guard let id = vocabulary.find([UInt8(b)]) else {
                throw self.fail("byte-level vocabulary lacks byte 0x\(String(b, radix: 16))")
            }
            byteTokens[b] = UInt32(id)
        }

        var merges = MergeTable(capacity: resolved.count)
        try merges.insert(contentsOf: resolved, fail: self.fail)

        var bpe = BPEModel(
            byteTokens: byteTokens, vocabulary: vocabulary, merges: merges, ignoreMerges: model["ignore_merges"]?.boolValue ?? false)
        if !byteLevel {
            let fallback = byteFallback ? try self.byteFallbackIDs(vocabulary, tokenBytes: &tokenBytes) : nil
            let unknown = model["unk_token"]?.stringValue.flatMap { vocabulary.find(Array($0.utf8)) }.map { UInt32($0) }
            bpe.alphabet = .characters(byteFallback: fallback, unknown: unknown, fuseUnknown: model["fuse_unk"]?.boolValue ?? false)
            Self.unescapeMarkers(&tokenBytes, except: fallback)
        }
        return (bpe, words.canCutAtMarkers)
    }

    /// The `<0xXX>` tokens, which decode to their byte.
    private func byteFallbackIDs(_ vocabulary: ByteKeyedTable, tokenBytes: inout TokenBytes) throws(TokenizerError) -> [UInt32] {
        var ids = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            let name = "<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">"
            guard let id = vocabulary.find(Array(name.utf8)) else { throw self.fail("byte_fallback needs the token \(name)") }
            ids[b] = UInt32(id)
            tokenBytes.set(Int(id), to: CollectionOfOne(UInt8(b)))
        }
        return ids
    }

    /// Decoding: U+2581 is a space again.
    private static func unescapeMarkers(_ tokenBytes: inout TokenBytes, except fallback: [UInt32]?) {
        let skip = Set(fallback ?? [])
        tokenBytes.rewrite { id, token in
            guard token.contains(0xE2), !skip.contains(UInt32(id)) else { return nil }
            return SentencePieceLoader.unescaped(Array(token))
        }
    }

    private func wordPiece(_ model: JSONValue, tokenBytes: inout TokenBytes) throws(TokenizerError) -> WordPieceModel {
        let prefix = Array((model["continuing_subword_prefix"]?.stringValue ?? "##").utf8)
        guard let vocab = model["vocab"]?.objectValue else { throw self.fail("model.vocab is not an object") }
        var initial = ByteKeyedTable(minimumCapacity: vocab.count)
        var continuation = ByteKeyedTable(minimumCapacity: vocab.count)
        for (token, idValue) in vocab {
            guard let id = idValue.intValue else { throw self.fail("vocabulary entry '\(token)' has an invalid id") }
            try TokenIDs.check(id, entries: vocab.count, "vocabulary entry '\(token)'", fail: self.fail)
            let bytes = Array(token.utf8)
            initial.insert(bytes, value: UInt64(id))
            if bytes.count > prefix.count && bytes.starts(with: prefix) {
                continuation.insert(Array(bytes[prefix.count...]), value: UInt64(id))
            }
            tokenBytes.set(id, to: bytes)
        }
        let unknownName = model["unk_token"]?.stringValue ?? "[UNK]"
        guard let unknown = initial.find(Array(unknownName.utf8)) else { throw self.fail("unknown token '\(unknownName)' is not in the vocabulary") }
        return WordPieceModel(
            initial: initial, continuation: continuation, unknown: UInt32(unknown),
            maxCharacters: model["max_input_chars_per_word"]?.intValue ?? 100)
    }

    private func unigram(_ model: JSONValue, tokenBytes: inout TokenBytes) throws(TokenizerError) -> UnigramModel {
        guard let entries = model["vocab"]?.arrayValue else { throw self.fail("Unigram model.vocab is not an array") }
        var vocabulary = ByteKeyedTable(minimumCapacity: entries.count)
        var trie = PrefixTrie(minimumCapacity: entries.count * 4)
        var scores: [Double] = []
        scores.reserveCapacity(entries.count)
        for (id, entry) in entries.enumerated() {
            guard let pair = entry.arrayValue, pair.count == 2, let piece = pair[0].stringValue, let score = pair[1].doubleValue else {
                throw self.fail("Unigram vocab entry \(id) is not [piece, score]")
            }
            let bytes = Array(piece.utf8)
            if vocabulary.find(bytes) == nil { vocabulary.insert(bytes, value: UInt64(id)) }
            trie.insert(bytes, value: Int32(id))
            scores.append(score)
            tokenBytes.set(id, to: bytes)
        }
        guard let unknown = model["unk_id"]?.intValue, unknown >= 0, unknown < entries.count else {
            throw self.fail("Unigram without a valid unk_id is not supported")
        }
        let byteFallback = model["byte_fallback"]?.boolValue ?? false
        let fallback = byteFallback ? try self.byteFallbackIDs(vocabulary, tokenBytes: &tokenBytes) : nil
        Self.unescapeMarkers(&tokenBytes, except: fallback)
        return UnigramModel(
            trie: trie, scores: scores, vocabulary: vocabulary, unknown: UInt32(unknown), fuseUnknown: true, byteFallback: fallback)
    }

    // MARK: Normalizers

    private func normalizer(_ value: JSONValue?) throws(TokenizerError) -> Normalizer? {
        guard let value, !value.isNull else { return nil }
        let type = value["type"]?.stringValue ?? "?"
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "StripAccents": return .stripAccents
        case "Strip":
            return .strip(left: value["strip_left"]?.boolValue ?? true, right: value["strip_right"]?.boolValue ?? true)
        case "Prepend":
            guard let prefix = value["prepend"]?.stringValue else { throw self.fail("Prepend without 'prepend'") }
            return .prepend(Array(prefix.utf8))
        case "Replace":
            guard let content = value["content"]?.stringValue else { throw self.fail("Replace without 'content'") }
            return .replace(try self.pattern(value["pattern"]), with: Array(content.utf8))
        case "Precompiled":
            guard let encoded = value["precompiled_charsmap"]?.stringValue, let blob = Base64.decode(encoded.utf8) else {
                throw self.fail("Precompiled normalizer without a base64 precompiled_charsmap")
            }
            if blob.isEmpty { return .sequence([]) }
            do { return .precompiled(try PrecompiledCharsMap(blob)) } catch {
                throw self.fail("Precompiled normalizer: malformed precompiled_charsmap")
            }
        case "BertNormalizer":
            let lowercase = value["lowercase"]?.boolValue ?? true
            return .bert(
                BertText(
                    cleanText: value["clean_text"]?.boolValue ?? true,
                    chineseCharacters: value["handle_chinese_chars"]?.boolValue ?? true,
                    // HuggingFace: strip_accents null means "as lowercase".
                    stripAccents: value["strip_accents"]?.boolValue ?? lowercase,
                    lowercase: lowercase))
        case "Sequence":
            guard let list = value["normalizers"]?.arrayValue else { throw self.fail("normalizer Sequence without 'normalizers'") }
            var steps: [Normalizer] = []
            for item in list { if let step = try self.normalizer(item) { steps.append(step) } }
            return .sequence(steps)
        default:
            throw self.fail("normalizer '\(type)' is not supported")
        }
    }

    /// A `{"String": ...}` or `{"Regex": ...}` pattern.
    private func pattern(_ value: JSONValue?) throws(TokenizerError) -> TextPattern {
        if let literal = value?["String"]?.stringValue { return .literal(Array(literal.utf8)) }
        if let source = value?["Regex"]?.stringValue {
            do { return try TextPattern.regex(source) } catch { throw self.fail("\(error)") }
        }
        throw self.fail("pattern \(value.map { "\($0)" } ?? "null") is neither {\"String\"} nor {\"Regex\"}")
    }

    // MARK: Pre-tokenizers

    private func preTokenizerSteps(_ value: JSONValue?) throws(TokenizerError) -> [PreTokenizerStep] {
        guard let value, !value.isNull else { return [] }
        let type = value["type"]?.stringValue ?? "?"
        switch type {
        case "Sequence":
            guard let list = value["pretokenizers"]?.arrayValue else { throw self.fail("pre_tokenizer Sequence without 'pretokenizers'") }
            var steps: [PreTokenizerStep] = []
            for item in list { steps += try self.preTokenizerSteps(item) }
            return steps
        case "ByteLevel":
            if let trim = value["trim_offsets"], trim.boolValue == nil { throw self.fail("ByteLevel trim_offsets is not a boolean") }
            return [.byteLevel(addPrefixSpace: value["add_prefix_space"]?.boolValue ?? false, useRegex: value["use_regex"]?.boolValue ?? true)]
        case "Split":
            guard let behavior = value["behavior"]?.stringValue.flatMap(SplitBehavior.init(rawValue:)), behavior != .removedComplement else {
                throw self.fail("Split behavior '\(value["behavior"]?.stringValue ?? "?")' is not supported")
            }
            return [.split(try self.pattern(value["pattern"]), behavior, invert: value["invert"]?.boolValue ?? false)]
        case "Whitespace": return [.whitespace]
        case "WhitespaceSplit": return [.whitespaceSplit]
        case "BertPreTokenizer": return [.bert]
        case "Digits": return [.digits(individually: value["individual_digits"]?.boolValue ?? false)]
        case "Punctuation":
            let name = value["behavior"]?.stringValue ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: name), behavior != .removedComplement else {
                throw self.fail("Punctuation behavior '\(name)' is not supported")
            }
            return [.punctuation(behavior)]
        case "CharDelimiterSplit":
            guard let delimiter = value["delimiter"]?.stringValue, delimiter.unicodeScalars.count == 1 else {
                throw self.fail("CharDelimiterSplit needs a one-character delimiter")
            }
            return [.charDelimiter(Array(delimiter.utf8))]
        case "Metaspace":
            let replacement = value["replacement"]?.stringValue ?? "\u{2581}"
            let prepend: PreTokenizer.PrependScheme
            switch value["prepend_scheme"]?.stringValue ?? (value["add_prefix_space"]?.boolValue == false ? "never" : "always") {
            case "always": prepend = .always
            case "first": prepend = .first
            case "never": prepend = .never
            case let other: throw self.fail("Metaspace prepend_scheme '\(other)' is not supported")
            }
            return [.metaspace(replacement: Array(replacement.utf8), prepend: prepend, split: value["split"]?.boolValue ?? true)]
        default:
            throw self.fail("pre_tokenizer '\(type)' is not supported")
        }
    }

    // MARK: Added tokens, post-processor, decoder

    /// The `added_tokens` list; each token's text becomes its decoding.
    ///
    /// Ids are assigned as HuggingFace does when it reads the file (the `id` field is only
    /// checked there): a token whose text is a vocabulary entry takes that entry's id; a new one
    /// takes the next id after the vocabulary and the tokens added before it.
    private func addedTokens(
        model: TokenModel, byteLevel: Bool, recordingBytesIn tokenBytes: inout TokenBytes
    ) throws(TokenizerError) -> [AddedToken] {
        var added: [AddedToken] = []
        var idByContent: [String: UInt32] = [:]
        let vocabularyCount = model.entryCount
        for entry in self.json["added_tokens"]?.arrayValue ?? [] {
            guard let content = entry["content"]?.stringValue, entry["id"]?.intValue != nil else {
                throw self.fail("an added token lacks a valid 'id' or 'content'")
            }
            let id: UInt32
            if let existing = model.entryID(content, byteLevel: byteLevel) ?? idByContent[content] {
                id = existing
            } else if let maximum = idByContent.values.max(), Int(maximum) >= vocabularyCount || vocabularyCount == 0 {
                id = maximum + 1
            } else {
                id = UInt32(vocabularyCount)
            }
            idByContent[content] = id
            let special = entry["special"]?.boolValue ?? false
            var token = AddedToken(id: id, content: content, isSpecial: special)
            token.stripsLeft = entry["lstrip"]?.boolValue ?? false
            token.stripsRight = entry["rstrip"]?.boolValue ?? false
            token.isSingleWord = entry["single_word"]?.boolValue ?? false
            token.matchesNormalizedText = entry["normalized"]?.boolValue ?? !special
            added.append(token)
            tokenBytes.set(Int(id), to: content.utf8)
        }
        return added
    }

    private func postProcessor(_ value: JSONValue?, tokenizer: Tokenizer) throws(TokenizerError) -> [[TemplateItem]] {
        guard let value, !value.isNull else { return [] }
        let type = value["type"]?.stringValue ?? "?"
        func special(_ pair: JSONValue?) throws(TokenizerError) -> [UInt32] {
            // [token, id]
            guard let items = pair?.arrayValue, items.count == 2, let id = items[1].intValue, id >= 0 else {
                throw self.fail("\(type) needs [token, id] pairs for its special tokens")
            }
            return [UInt32(id)]
        }
        switch type {
        case "ByteLevel":
            return []
        case "BertProcessing", "RobertaProcessing":
            return [[.special(try special(value["cls"])), .sequence, .special(try special(value["sep"]))]]
        case "TemplateProcessing":
            guard let single = value["single"]?.arrayValue else { throw self.fail("TemplateProcessing without 'single'") }
            var template: [TemplateItem] = []
            for item in single {
                if let sequence = item["Sequence"] {
                    guard sequence["id"]?.stringValue == "A" else { throw self.fail("TemplateProcessing 'single' may only use sequence A") }
                    template.append(.sequence)
                } else if let name = item["SpecialToken"]?["id"]?.stringValue {
                    guard let ids = value["special_tokens"]?[name]?["ids"]?.arrayValue else {
                        throw self.fail("TemplateProcessing uses '\(name)', which its special_tokens lack")
                    }
                    var list: [UInt32] = []
                    for id in ids {
                        guard let v = id.intValue, v >= 0 else { throw self.fail("TemplateProcessing '\(name)' has an invalid id") }
                        list.append(UInt32(v))
                    }
                    template.append(.special(list))
                } else {
                    throw self.fail("TemplateProcessing item \(item) is neither Sequence nor SpecialToken")
                }
            }
            return [template]
        case "Sequence":
            guard let list = value["processors"]?.arrayValue else { throw self.fail("post_processor Sequence without 'processors'") }
            var templates: [[TemplateItem]] = []
            for item in list { templates += try self.postProcessor(item, tokenizer: tokenizer) }
            return templates
        default:
            throw self.fail("post_processor '\(type)' is not supported")
        }
    }

    /// Whether the decoder drops the leading space a Metaspace prefix became.
    private func decoderStripsLeadingSpace(_ value: JSONValue?) -> Bool {
        guard let value, !value.isNull else { return false }
        switch value["type"]?.stringValue {
        case "Metaspace":
            let scheme = value["prepend_scheme"]?.stringValue ?? (value["add_prefix_space"]?.boolValue == false ? "never" : "always")
            return scheme != "never"
        case "Strip":
            return (value["start"]?.intValue ?? 0) > 0
        case "Sequence":
            return (value["decoders"]?.arrayValue ?? []).contains { self.decoderStripsLeadingSpace($0) }
        default:
            return false
        }
    }
}
