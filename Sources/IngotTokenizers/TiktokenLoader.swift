import Dispatch
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

    /// The encoding the file name names.
    func encoding() throws(TokenizerError) -> (name: String, pattern: SplitPattern, specials: [(String, UInt32)]) {
        let fileName = (self.path as NSString).lastPathComponent
        guard let encoding = Self.encodings.first(where: { fileName.hasPrefix($0.name) }) else {
            throw self.fail(
                "unknown tiktoken encoding: the file name must start with one of \(Self.encodings.map(\.name)) (its split pattern is not in the file)")
        }
        return encoding
    }

    /// The file's ranks, line by line (one core's work; ``load(_:)`` uses every core).
    func readRanks() throws(TokenizerError) -> RankedTokens {
        _ = try self.encoding()
        var ranks = RankedTokens()
        var lineNumber = 0
        for line in self.file.split(separator: 0x0A, omittingEmptySubsequences: true) {
            lineNumber += 1
            guard let space = line.firstIndex(of: 0x20),
                let rank = Int(String(decoding: line[line.index(after: space)...], as: UTF8.self)), rank >= 0, rank < 1 << 31,
                ranks.append(base64: line[line.startIndex..<space], rank: rank)
            else {
                throw self.fail("line \(lineNumber) is not '<base64> <rank>'")
            }
        }
        return ranks
    }

    func load(_ ranks: RankedTokens) throws(TokenizerError) -> Tokenizer {
        let encoding = try self.encoding()
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
        _ ranks: RankedTokens, idOffset: Int, fail: (String) -> TokenizerError
    ) throws(TokenizerError) -> (BPEModel, tokenBytes: TokenBytes) {
        var ids: [Int] = []
        ids.reserveCapacity(ranks.count)
        for rank in ranks.ranks {
            let id = rank + idOffset
            try TokenIDs.check(id, entries: ranks.count + idOffset, "rank \(rank)", fail: fail)
            ids.append(id)
        }
        let vocabulary = ByteKeyedTable(keysIn: ranks.arena, ends: ranks.ends, values: ids.map { UInt64($0) })
        let tokenBytes = TokenBytes(arena: ranks.arena, ends: ranks.ends, ids: ids, count: (ids.max() ?? -1) + 1)
        var byteTokens = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            guard let id = vocabulary.find([UInt8(b)]) else { throw fail("the ranks lack byte 0x\(String(b, radix: 16))") }
            byteTokens[b] = UInt32(id)
        }
        // Every way to split a token into two tokens is a merge of priority rank(token): looked
        // up in slices on every core (the table is only read), inserted in file order.
        let found = Self.splitsIntoTwoTokens(ranks, vocabulary: vocabulary, idOffset: idOffset)
        var merges = MergeTable(capacity: ranks.count * 4)
        for slice in found { try merges.insert(contentsOf: slice, fail: fail) }
        let model = BPEModel(byteTokens: byteTokens, vocabulary: vocabulary, merges: merges, ignoreMerges: true)
        return (model, tokenBytes)
    }

    private typealias Merge = MergeTable.Merge

    /// For each token in file order, each split of it into two tokens, in slices of the tokens.
    private static func splitsIntoTwoTokens(_ ranks: RankedTokens, vocabulary: ByteKeyedTable, idOffset: Int) -> [[Merge]] {
        let slices = ranks.count < 20_000 ? 1 : min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let sliceLength = (ranks.count + slices - 1) / slices
        let results = ResultSlots<[Merge]>(count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            var found: [Merge] = []
            found.reserveCapacity(sliceLength * 2)
            ranks.arena.withUnsafeBufferPointer { arena in
                for index in min(ranks.count, slice * sliceLength)..<min(ranks.count, (slice + 1) * sliceLength) {
                    let token = UnsafeBufferPointer(rebasing: arena[ranks.start(of: index)..<Int(ranks.ends[index])])
                    guard token.count >= 2 else { continue }
                    let rank = UInt32(ranks.ranks[index])
                    for split in 1..<token.count {
                        if let left = vocabulary.find(UnsafeBufferPointer(rebasing: token[..<split])),
                            let right = vocabulary.find(UnsafeBufferPointer(rebasing: token[split...]))
                        {
                            found.append(Merge(left: UInt32(left), right: UInt32(right), rank: rank, merged: rank + UInt32(idOffset)))
                        }
                    }
                }
            }
            results[slice] = .success(found)
        }
        return (0..<slices).compactMap { try? results[$0]?.get() }
    }
}

/// Tokens and their ranks as a rank file lists them: the bytes end to end in one arena (token `i`
/// ends at `ends[i]`), one allocation for a 200k-token vocabulary.
struct RankedTokens: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private(set) var ranks: [Int] = []

    var count: Int { self.ranks.count }

    func start(of index: Int) -> Int { index == 0 ? 0 : Int(self.ends[index - 1]) }

    /// Adds the token base64 `text` spells; false, adding nothing, when it is not valid base64.
    mutating func append(base64 text: some Collection<UInt8>, rank: Int) -> Bool {
        guard Base64.decode(text, appendingTo: &self.arena) else { return false }
        self.ends.append(UInt32(self.arena.count))
        self.ranks.append(rank)
        return true
    }
}
