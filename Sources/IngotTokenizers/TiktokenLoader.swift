import Foundation

/// Reads a tiktoken rank file (`<base64 token> <rank>` per line, as `cl100k_base.tiktoken`).
///
/// The split pattern and special tokens are not in the file; they are tiktoken's published ones
/// for the encoding the file name names.
struct TiktokenLoader {
    let path: String
    let file: [UInt8]

    func fail(_ message: String) -> TokenizerError { TokenizerError(path: self.path, message) }

    /// The encodings Ingot knows: name -> (split pattern, special tokens).
    static let encodings: [(name: String, pattern: SplitPattern, specials: [(String, UInt32)])] = [
        (
            "cl100k_base", .cl100k,
            [("<|endoftext|>", 100_257), ("<|fim_prefix|>", 100_258), ("<|fim_middle|>", 100_259), ("<|fim_suffix|>", 100_260),
             ("<|endofprompt|>", 100_276)]
        ),
        ("r50k_base", .gpt2, [("<|endoftext|>", 50_256)]),
        ("o200k_base", .o200k, [("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)]),
    ]

    func load() throws(TokenizerError) -> Tokenizer {
        let fileName = (self.path as NSString).lastPathComponent
        guard let encoding = Self.encodings.first(where: { fileName.hasPrefix($0.name) }) else {
            throw self.fail(
                "unknown tiktoken encoding: the file name must start with one of \(Self.encodings.map(\.name)) (its split pattern is not in the file)")
        }
        var ranks: [(bytes: [UInt8], rank: Int)] = []
        var lineNumber = 0
        for line in self.file.split(separator: 0x0A, omittingEmptySubsequences: true) {
            lineNumber += 1
            guard let space = line.firstIndex(of: 0x20),
                let token = Base64.decode(line[line.startIndex..<space]),
                let rank = Int(String(decoding: line[line.index(after: space)...], as: UTF8.self)), rank >= 0, rank < 1 << 31
            else {
                throw self.fail("line \(lineNumber) is not '<base64> <rank>'")
            }
            ranks.append((token, rank))
        }
        let (model, ranked) = try Self.rankedModel(ranks, idOffset: 0, fail: self.fail)
        var tokenBytes = ranked
        var added: [AddedToken] = []
        for (content, id) in encoding.specials {
            try TokenIDs.check(Int(id), entries: ranks.count, "special token \(content)", fail: self.fail)
            added.append(AddedToken(id: id, content: content, isSpecial: true))
            tokenBytes.set(Int(id), to: content.utf8)
        }
        return Tokenizer(path: self.path, bpe: model, preTokenizer: .split(encoding.pattern), addedTokens: added, tokenBytes: tokenBytes)
    }

    /// A byte-level BPE model from tiktoken-style ranks, where token `rank` has id `rank + idOffset`.
    ///
    /// Ranks are both ids and merge priorities: the pair (a, b) merges with priority rank(a + b)
    /// when a + b is a token, which is tiktoken's byte-pair rule. A piece that is itself a token
    /// is that token without merging, as tiktoken looks the whole piece up first.
    static func rankedModel(
        _ ranks: [(bytes: [UInt8], rank: Int)], idOffset: Int, fail: (String) -> TokenizerError
    ) throws(TokenizerError) -> (BPEModel, tokenBytes: TokenBytes) {
        var vocabulary = ByteKeyedTable(minimumCapacity: ranks.count)
        var tokenBytes = TokenBytes()
        for (bytes, rank) in ranks {
            let id = rank + idOffset
            try TokenIDs.check(id, entries: ranks.count + idOffset, "rank \(rank)", fail: fail)
            vocabulary.insert(bytes, value: UInt64(id))
            tokenBytes.set(id, to: bytes)
        }
        var byteTokens = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            guard let id = vocabulary.find([UInt8(b)]) else { throw fail("the ranks lack byte 0x\(String(b, radix: 16))") }
            byteTokens[b] = UInt32(id)
        }
        // Every way to split a token into two tokens is a merge of priority rank(token).
        var merges = MergeTable(capacity: ranks.count * 4)
        for (bytes, rank) in ranks where bytes.count >= 2 {
            bytes.withUnsafeBufferPointer { all in
                for split in 1..<all.count {
                    if let left = vocabulary.find(UnsafeBufferPointer(rebasing: all[..<split])),
                        let right = vocabulary.find(UnsafeBufferPointer(rebasing: all[split...]))
                    {
                        merges.insert(
                            left: UInt32(left), right: UInt32(right), rank: UInt32(rank), merged: UInt32(rank + idOffset))
                    }
                }
            }
        }
        let model = BPEModel(byteTokens: byteTokens, vocabulary: vocabulary, merges: merges, ignoreMerges: true)
        return (model, tokenBytes)
    }
}
