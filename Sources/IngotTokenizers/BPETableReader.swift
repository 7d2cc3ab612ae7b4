import Dispatch
import Foundation
import IngotJSON

/// Reads a tokenizer.json's BPE `vocab` and `merges` in place from the file's bytes.
///
/// Built as a JSON tree, Llama 3's 128k vocabulary members and 280k merge strings cost more than
/// everything else in loading it (a `String`, a validation and an allocation each); here each
/// entry is decoded straight into one reused buffer. The two are read at the same time on two
/// cores (merges are decoded into an arena while the vocabulary is read), then the vocabulary's
/// table is built and each merge's three tokens are looked up, both on every core.
struct BPETableReader: @unchecked Sendable {  // `file` is only read, and outlives the loops
    /// The whole file; `vocab` and `merges` are byte ranges of it.
    let file: UnsafeRawBufferPointer
    let byteLevel: Bool
    let fail: @Sendable (String) -> TokenizerError

    struct Vocabulary {
        var table: ByteKeyedTable
        /// The bytes of each id (empty where the file has no entry).
        var tokenBytes: TokenBytes
        /// For SentencePiece-style vocabularies: whether text may be cut at each "▁" (see
        /// `TokenizerJSONLoader`): the vocabulary has "▁" and no entry has it after another
        /// character.
        var canCutAtMarkers: Bool
    }

    /// Each merge's two tokens as bytes, back to back in one arena.
    struct DecodedMerges: Sendable {
        var bytes: [UInt8] = []
        /// Per merge: where its bytes end in `bytes`, and where its right token starts.
        var ends: [UInt32] = []
        var splits: [UInt32] = []
        var count: Int { self.ends.count }

        /// Room for the merges of a JSON member of `expectedBytes`.
        init(expectedBytes: Int) {
            self.bytes.reserveCapacity(expectedBytes / 2)
            self.ends.reserveCapacity(expectedBytes / 10)
            self.splits.reserveCapacity(expectedBytes / 10)
        }
    }

    /// The vocabulary's entries as they are read: their bytes end to end in `arena` (both the
    /// table's keys and the ids' bytes), collected first because the id bounds and the table's
    /// size depend on their count.
    struct VocabularyBuilder {
        var arena: [UInt8] = []
        var ends: [UInt32] = []
        var ids: [Int] = []
        var hasMarker = false
        var markerAfterCharacter = false

        /// Room for the entries of a JSON member of `expectedBytes`.
        init(expectedBytes: Int) {
            self.arena.reserveCapacity(expectedBytes / 2)
            self.ends.reserveCapacity(expectedBytes / 12)
            self.ids.reserveCapacity(expectedBytes / 12)
        }

        /// Adds the entry whose key is `text` (decoded from JSON).
        mutating func add(_ text: UnsafeBufferPointer<UInt8>, id: Int, _ reader: BPETableReader) throws(TokenizerError) {
            if reader.byteLevel {
                guard ByteLevel.appendBytes(ofUTF8: text, to: &self.arena) else {
                    throw reader.fail("vocabulary entry '\(String(decoding: text, as: UTF8.self))' is not byte-level encoded")
                }
            } else {
                self.arena.append(contentsOf: text)
                self.hasMarker = self.hasMarker || text.elementsEqual(TokenizerJSONLoader.marker)
                self.markerAfterCharacter = self.markerAfterCharacter || SentencePieceLoader.hasMarkerAfterCharacter(text)
            }
            self.ends.append(UInt32(self.arena.count))
            self.ids.append(id)
        }
    }

    /// Reads both, concurrently, and resolves the merges against the vocabulary.
    ///
    /// The vocabulary's table takes about as long to build as its entries take to read. Where
    /// the merges are the larger part of the file (Llama 3, Mistral), it is built while they are
    /// still being decoded; otherwise (GPT-2) once both are read, on every core.
    func read(vocab: Range<Int>, merges: Range<Int>) throws(TokenizerError) -> (Vocabulary, [MergeTable.Merge]) {
        let tableWhileDecoding = merges.count >= vocab.count
        let entries = ResultSlots<VocabularyEntries>(count: 1)
        let decoded = ResultSlots<DecodedMerges>(count: 1)
        DispatchQueue.concurrentPerform(iterations: 2) { job in
            if job == 0 {
                entries[0] = Result { () throws(TokenizerError) in
                    var read = try self.readVocabulary(vocab)
                    if tableWhileDecoding { read.table = read.makeTable(onEveryCore: false) }
                    return read
                }
            } else {
                decoded[0] = Result { () throws(TokenizerError) in try self.decodeMerges(merges) }
            }
        }
        let read = try entries[0]!.get()
        let words = Vocabulary(
            table: read.table ?? read.makeTable(onEveryCore: true), tokenBytes: TokenBytes(arena: read.arena, ends: read.ends, ids: read.ids, count: read.idCount),
            canCutAtMarkers: read.canCutAtMarkers)
        let merges = try self.resolve(try decoded[0]!.get(), in: words.table)
        return (words, merges)
    }

    /// The vocabulary's entries as read, and their table if it was built beside the merges.
    private struct VocabularyEntries {
        /// Each entry's bytes, end to end.
        var arena: [UInt8]
        var ends: [UInt32]
        var ids: [Int]
        var idCount: Int
        var canCutAtMarkers: Bool
        var table: ByteKeyedTable?

        func makeTable(onEveryCore: Bool) -> ByteKeyedTable {
            ByteKeyedTable(keysIn: self.arena, ends: self.ends, values: self.ids.map { UInt64($0) }, onEveryCore: onEveryCore)
        }
    }

    // MARK: Vocabulary

    private func readVocabulary(_ range: Range<Int>) throws(TokenizerError) -> VocabularyEntries {
        // The usual shape in one pass; any other, or something wrong, by the general reader.
        let entries: VocabularyBuilder
        if let read = try self.readVocabularyFast(range) {
            entries = read
        } else {
            entries = try self.readVocabularyInGeneral(range)
        }
        let (arena, ends, ids) = (entries.arena, entries.ends, entries.ids)
        var idCount = 0
        for (index, id) in ids.enumerated() {
            try TokenIDs.check(id, entries: ids.count, "vocabulary entry '\(self.written(entry: index, of: arena, ends: ends))'", fail: self.fail)
            idCount = max(idCount, id + 1)
        }
        return VocabularyEntries(
            arena: arena, ends: ends, ids: ids, idCount: idCount, canCutAtMarkers: entries.hasMarker && !entries.markerAfterCharacter, table: nil)
    }

    /// Reads a vocabulary of any shape with the general reader, which names what is wrong.
    private func readVocabularyInGeneral(_ range: Range<Int>) throws(TokenizerError) -> VocabularyBuilder {
        var reader = try self.reader(range, "model.vocab")
        guard reader.peekKind() == .object else { throw self.fail("model.vocab is not an object") }
        var entries = VocabularyBuilder(expectedBytes: range.count)
        var key: [UInt8] = []
        try self.json("model.vocab") {
            guard try reader.enterObject() else { return }
            repeat {
                // Most keys have no escape: read in place, decoded into `key` otherwise.
                let unescaped = try reader.readUnescapedKey()
                if unescaped == nil {
                    key.removeAll(keepingCapacity: true)
                    try reader.readKey(into: &key)
                }
                let value = try reader.readValue()
                try key.withUnsafeBufferPointer { decoded in
                    let text = unescaped ?? decoded
                    guard let id = value.intValue else {
                        throw self.fail("vocabulary entry '\(String(decoding: text, as: UTF8.self))' has an invalid id")
                    }
                    try entries.add(text, id: id, self)
                }
            } while try reader.nextMember()
            try reader.finish()
        }
        return entries
    }

    // MARK: Merges

    /// Decodes every merge, `"a b"` or `["a", "b"]`, into the arena, in rank order.
    func decodeMerges(_ range: Range<Int>) throws(TokenizerError) -> DecodedMerges {
        if let merges = self.decodeMergesFast(range) { return merges }
        // Any other shape, or something wrong: the general reader names it.
        var reader = try self.reader(range, "model.merges")
        guard reader.peekKind() == .array else { throw self.fail("model.merges is not an array") }
        var merges = DecodedMerges(expectedBytes: range.count)
        var text: [UInt8] = []
        try self.json("model.merges") {
            guard try reader.enterArray() else { return }
            repeat {
                let rank = merges.count
                text.removeAll(keepingCapacity: true)
                let split: Int
                switch reader.peekKind() {
                case .string:
                    // Most merges have no escape: their halves go from the file to the arena.
                    if let raw = try reader.readUnescapedString() {
                        guard let space = raw.firstIndex(of: 0x20) else {
                            throw self.fail("merge \(rank) '\(String(decoding: raw, as: UTF8.self))' is not two tokens")
                        }
                        let left = UnsafeBufferPointer(rebasing: raw[..<space])
                        let right = UnsafeBufferPointer(rebasing: raw[(space + 1)...])
                        guard self.appendToken(left, to: &merges.bytes) else { throw self.unknownTokens(rank, text: Array(left) + Array(right), split: left.count) }
                        merges.splits.append(UInt32(merges.bytes.count))
                        guard self.appendToken(right, to: &merges.bytes) else { throw self.unknownTokens(rank, text: Array(left) + Array(right), split: left.count) }
                        merges.ends.append(UInt32(merges.bytes.count))
                        continue
                    }
                    try reader.readString(into: &text)
                    guard let space = text.firstIndex(of: 0x20) else {
                        throw self.fail("merge \(rank) '\(String(decoding: text, as: UTF8.self))' is not two tokens")
                    }
                    split = space
                    text.remove(at: space)
                case .array:
                    var halves = 0
                    var cut = 0
                    if try reader.enterArray() {
                        repeat {
                            guard halves < 2, reader.peekKind() == .string else { halves = 3; break }
                            try reader.readString(into: &text)
                            halves += 1
                            if halves == 1 { cut = text.count }
                        } while try reader.nextElement()
                    }
                    guard halves == 2 else { throw self.notAMerge(rank) }
                    split = cut
                default:
                    throw self.notAMerge(rank)
                }
                guard self.appendToken(text[..<split], to: &merges.bytes) else { throw self.unknownTokens(rank, text: text, split: split) }
                merges.splits.append(UInt32(merges.bytes.count))
                guard self.appendToken(text[split...], to: &merges.bytes) else { throw self.unknownTokens(rank, text: text, split: split) }
                merges.ends.append(UInt32(merges.bytes.count))
            } while try reader.nextElement()
            try reader.finish()
        }
        return merges
    }

    /// The ids of each merge's tokens and of their concatenation, ranked in file order, in
    /// slices on every core (the table is only read; each slice writes its own results). Each
    /// merge asks for its three slots ``ByteKeyedTable/lookahead`` merges early: the vocabulary
    /// table is far bigger than the CPU's caches, and the lookups are independent.
    func resolve(_ merges: DecodedMerges, in vocabulary: ByteKeyedTable) throws(TokenizerError) -> [MergeTable.Merge] {
        let slices = merges.count < 50_000 ? 1 : min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let sliceLength = (merges.count + slices - 1) / max(1, slices)
        let results = ResultSlots<[MergeTable.Merge]>(count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let ranks = min(merges.count, slice * sliceLength)..<min(merges.count, (slice + 1) * sliceLength)
            results[slice] = merges.bytes.withUnsafeBufferPointer { bytes in
                /// Merge `rank`'s left token, right token, and both.
                func tokens(_ rank: Int) -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) {
                    let start = rank == 0 ? 0 : Int(merges.ends[rank - 1])
                    let split = Int(merges.splits[rank])
                    let end = Int(merges.ends[rank])
                    return (
                        UnsafeBufferPointer(rebasing: bytes[start..<split]), UnsafeBufferPointer(rebasing: bytes[split..<end]),
                        UnsafeBufferPointer(rebasing: bytes[start..<end])
                    )
                }
                /// Merge `rank`'s three hashes, taken `lookahead` merges early to prefetch their slots.
                func hashes(_ rank: Int) -> (UInt64, UInt64, UInt64) {
                    let (left, right, both) = tokens(rank)
                    return (ByteKeyedTable.hash(left), ByteKeyedTable.hash(right), ByteKeyedTable.hash(both))
                }
                let lookahead = ByteKeyedTable.lookahead
                var ahead = [(UInt64, UInt64, UInt64)](repeating: (0, 0, 0), count: lookahead)  // rank's at rank % lookahead
                for rank in ranks.prefix(lookahead) { ahead[rank % lookahead] = hashes(rank) }
                var resolved: [MergeTable.Merge] = []
                resolved.reserveCapacity(ranks.count)
                for rank in ranks {
                    let (leftHash, rightHash, bothHash) = ahead[rank % lookahead]
                    if rank + lookahead < ranks.upperBound {
                        let next = hashes(rank + lookahead)
                        ahead[rank % lookahead] = next
                        vocabulary.prefetchSlot(hash: next.0)
                        vocabulary.prefetchSlot(hash: next.1)
                        vocabulary.prefetchSlot(hash: next.2)
                    }
                    let (leftBytes, rightBytes, bothBytes) = tokens(rank)
                    guard !leftBytes.isEmpty, !rightBytes.isEmpty,
                        let left = vocabulary.find(leftBytes, hash: leftHash),
                        let right = vocabulary.find(rightBytes, hash: rightHash),
                        let merged = vocabulary.find(bothBytes, hash: bothHash)
                    else {
                        return .failure(self.unknownTokens(rank, self.written(leftBytes), self.written(rightBytes)))
                    }
                    resolved.append(MergeTable.Merge(left: UInt32(left), right: UInt32(right), rank: UInt32(rank), merged: UInt32(merged)))
                }
                return .success(resolved)
            }
        }
        var all: [MergeTable.Merge] = []
        all.reserveCapacity(merges.count)
        for slice in 0..<slices { all += try results[slice]!.get() }
        return all
    }

    // MARK: Helpers

    private func reader(_ range: Range<Int>, _ what: String) throws(TokenizerError) -> JSONPullReader {
        do {
            return try JSONPullReader(UnsafeRawBufferPointer(rebasing: self.file[range]))
        } catch {
            throw self.fail("\(what) is not valid JSON: \(error)")
        }
    }

    private func json(_ what: String, _ body: () throws -> Void) throws(TokenizerError) {
        try TokenizerError.readingJSON(what, fail: self.fail, body)
    }

    private func appendToken(_ token: ArraySlice<UInt8>, to bytes: inout [UInt8]) -> Bool {
        token.withUnsafeBufferPointer { self.appendToken($0, to: &bytes) }
    }

    /// Appends the bytes a token of the file stands for; false if it is not byte-level encoded
    /// where the vocabulary is.
    func appendToken(_ token: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) -> Bool {
        if self.byteLevel { return ByteLevel.appendBytes(ofUTF8: token, to: &bytes) }
        bytes.append(contentsOf: token)
        return true
    }

    private func notAMerge(_ rank: Int) -> TokenizerError {
        self.fail("merge \(rank) is neither \"a b\" nor [\"a\", \"b\"]")
    }

    /// A merge naming a token the vocabulary lacks, its halves as the file writes them.
    private func unknownTokens(_ rank: Int, _ left: String, _ right: String) -> TokenizerError {
        self.fail("merge \(rank) '\(left) \(right)' refers to tokens not in the vocabulary")
    }

    private func unknownTokens(_ rank: Int, text: [UInt8], split: Int) -> TokenizerError {
        self.unknownTokens(rank, String(decoding: text[..<split], as: UTF8.self), String(decoding: text[split...], as: UTF8.self))
    }

    /// Entry `index` of an arena of entries ending at `ends`, as the file writes it.
    private func written(entry index: Int, of arena: [UInt8], ends: [UInt32]) -> String {
        arena[(index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])].withUnsafeBufferPointer { self.written($0) }
    }

    /// Decoded token bytes as the file writes them (byte-level tokens in their characters).
    private func written(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard self.byteLevel else { return String(decoding: bytes, as: UTF8.self) }
        return String(String.UnicodeScalarView(bytes.map { ByteLevel.characterForByte[Int($0)] }))
    }
}

/// One result per slice of a parallel loop: each iteration writes only its own slot (through a
/// raw buffer, so no two writes touch the same Swift value), and the slots are read after the
/// loop has joined.
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<Value, TokenizerError>?>

    init(count: Int) {
        self.slots = .allocate(capacity: count)
        self.slots.initialize(repeating: nil)
    }

    deinit {
        self.slots.deinitialize()
        self.slots.deallocate()
    }

    subscript(index: Int) -> Result<Value, TokenizerError>? {
        get { self.slots[index] }
        set { self.slots[index] = newValue }
    }
}
