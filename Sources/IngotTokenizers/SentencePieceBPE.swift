/// SentencePiece's BPE (Llama 2, the original Mistral): adjacent symbols merge when their
/// concatenation is a piece, the *highest-scoring merged piece* first and the leftmost on ties,
/// over the whole normalized text, as `bpe_model.cc` does. Merged pieces marked unused are split
/// back into the pair that formed them.
///
/// The rule is compiled at load time into a table of (left id, right id) -> (score rank, merged
/// id): every symbol is either a piece or a single character (a character that is not a piece
/// gets an id of its own past the vocabulary), so merging needs integer lookups only.
struct SentencePieceBPE: Sendable {
    /// Normal, user-defined and unused pieces -> id.
    let pieces: ByteKeyedTable
    /// (left, right) -> an index into `pairValues`.
    let pairs: MergeTable
    /// Per pair: (rank of the merged piece's score, 0 = highest) << 32 | merged id. Unlike BPE
    /// ranks, score ranks are shared by different merges, so they cannot be the table's payload.
    let pairValues: [UInt64]
    /// Characters that are not pieces but occur in some piece -> id past the vocabulary.
    let extraCharacters: ByteKeyedTable
    let scores: [Float]
    let isUnused: [Bool]
    /// Whether any piece is unused (only then are reverse merges recorded).
    let hasUnusedPieces: Bool
    /// User-defined symbols, matched whole and never merged.
    let userDefined: PrefixTrie?
    let unknown: UInt32
    /// `<0xXX>` ids when byte fallback is on.
    let byteFallback: [UInt32]?
    /// The initial symbol id of each ASCII character.
    let asciiIDs: [UInt32]

    /// The id of a character no piece contains: it never merges.
    static let isolated = UInt32.max - 1

    init(
        pieceTexts: [[UInt8]?], scores: [Float], isUnused: [Bool], userDefined: PrefixTrie?, unknown: UInt32,
        byteFallback: [UInt32]?, fail: (String) -> TokenizerError
    ) throws(TokenizerError) {
        var table = ByteKeyedTable(minimumCapacity: pieceTexts.count)
        for (id, text) in pieceTexts.enumerated() {
            if let text, table.find(text) == nil { table.insert(text, value: UInt64(id)) }
        }
        // Ranks of distinct scores, highest first: equal scores share a rank, so the position
        // decides between them, as in SentencePiece.
        let distinct = Array(Set(pieceTexts.indices.filter { pieceTexts[$0] != nil }.map { scores[$0] })).sorted(by: >)
        var rankOf: [Float: UInt32] = [:]
        for (rank, score) in distinct.enumerated() { rankOf[score] = UInt32(rank) }

        var extra = ByteKeyedTable()
        var nextExtra = UInt32(pieceTexts.count)
        var pairs = MergeTable(capacity: pieceTexts.count * 4)
        var pairValues: [UInt64] = []
        func symbolID(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
            if let id = table.find(bytes) { return UInt32(truncatingIfNeeded: id) }
            let lead = bytes[0]
            let characterLength = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            guard bytes.count == characterLength else { return nil }
            if let id = extra.find(bytes) { return UInt32(truncatingIfNeeded: id) }
            extra.insert(bytes, value: UInt64(nextExtra))
            nextExtra += 1
            return nextExtra - 1
        }
        for (id, text) in pieceTexts.enumerated() {
            guard let text, text.count > 1, table.find(text) == UInt64(id) else { continue }
            let rank = rankOf[scores[id]]!
            try text.withUnsafeBufferPointer { (text) throws(TokenizerError) in
                var k = 1
                while k < text.count {
                    if text[k] & 0xC0 != 0x80, let left = symbolID(UnsafeBufferPointer(rebasing: text[..<k])),
                        let right = symbolID(UnsafeBufferPointer(rebasing: text[k...]))
                    {
                        guard max(left, right, UInt32(id)) < MergeTable.idLimit, pairValues.count < MergeTable.payloadLimit else {
                            throw fail("the model has more pieces or piece pairs than the merge table holds")
                        }
                        if pairs.insert(left: left, right: right, payload: UInt32(pairValues.count)) {
                            pairValues.append(UInt64(rank) << 32 | UInt64(id))
                        }
                    }
                    k += 1
                }
            }
        }
        self.pieces = table
        self.pairs = pairs
        self.pairValues = pairValues
        self.extraCharacters = extra
        self.scores = scores
        self.isUnused = isUnused
        self.hasUnusedPieces = isUnused.contains(true)
        self.userDefined = userDefined
        self.unknown = unknown
        self.byteFallback = byteFallback
        self.asciiIDs = (0..<128).map { b in
            table.find([UInt8(b)]).map { UInt32(truncatingIfNeeded: $0) }
                ?? extra.find([UInt8(b)]).map { UInt32(truncatingIfNeeded: $0) } ?? Self.isolated
        }
    }

    /// The pair's (score rank << 32 | merged id), or `UInt64.max` when it does not merge.
    @inline(__always)
    private func pairValue(_ left: UInt32, _ right: UInt32) -> UInt64 {
        let index = self.pairs.payload(left, right)
        return index == MergeTable.none ? UInt64.max : self.pairValues.withUnsafeBufferPointer { $0[Int(index)] }
    }

    /// Per-encoder buffers, reused across calls.
    struct Scratch: Sendable {
        var symbols: [Symbol] = []
        var heap: [Candidate] = []
        var revMerge: [UInt32: (UInt32, UInt32)] = [:]
    }

    /// A symbol of the text being merged: an id, a byte range, its neighbours.
    struct Symbol: Sendable {
        var id: UInt32
        var start: Int32
        var length: Int32  // 0 once merged into its left neighbour
        var prev: Int32
        var next: Int32
        var frozen: Bool
    }

    struct Candidate: Sendable {
        var rank: UInt32
        var left: Int32
        var right: Int32
        var leftID: UInt32
        var rightID: UInt32
        var merged: UInt32

        /// Heap order: best (lowest) rank first, then the leftmost.
        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            self.rank < other.rank || (self.rank == other.rank && self.left < other.left)
        }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt32], scratch s: inout Scratch) {
        guard !text.isEmpty else { return }
        s.symbols.removeAll(keepingCapacity: true)
        // Initial symbols: user-defined symbols whole (frozen), else one character each.
        var i = 0
        while i < text.count {
            var length = 0
            var id = Self.isolated
            if let userDefined {
                userDefined.forEachPrefix(of: text, from: i) { l, v in
                    length = l
                    id = UInt32(v)
                }
            }
            let frozen = length > 0
            if !frozen && text[i] < 0x80 {
                length = 1
                id = self.asciiIDs[Int(text[i])]
            } else if !frozen {
                let lead = text[i]
                length = min(text.count - i, lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
                let character = UnsafeBufferPointer(rebasing: text[i..<(i + length)])
                if let piece = self.pieces.find(character) {
                    id = UInt32(truncatingIfNeeded: piece)
                } else if let extra = self.extraCharacters.find(character) {
                    id = UInt32(truncatingIfNeeded: extra)
                }
            }
            let k = Int32(s.symbols.count)
            s.symbols.append(Symbol(id: id, start: Int32(i), length: Int32(length), prev: k - 1, next: k + 1, frozen: frozen))
            i += length
        }
        let n = s.symbols.count
        s.symbols[n - 1].next = -1
        if n <= Self.scanLimit {
            self.mergeByScanning(text, into: &output, scratch: &s)
            return
        }
        let recordsReverseMerges = self.hasUnusedPieces
        var heap = s.heap
        var revMerge = s.revMerge
        s.heap = []
        s.revMerge = [:]
        s.symbols.withUnsafeMutableBufferPointer { symbols in
            @inline(__always)
            func consider(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let l = symbols[Int(left)]
                let r = symbols[Int(right)]
                guard !l.frozen, !r.frozen else { return }
                let value = self.pairValue(l.id, r.id)
                guard value != UInt64.max else { return }
                let merged = UInt32(truncatingIfNeeded: value)
                Self.push(
                    Candidate(rank: UInt32(value >> 32), left: left, right: right, leftID: l.id, rightID: r.id, merged: merged),
                    &heap)
                // The latest pair that can form an unused piece is how it is split back.
                if recordsReverseMerges && self.isUnused[Int(merged)] { revMerge[merged] = (l.id, r.id) }
            }
            for k in 1..<max(n, 1) { consider(Int32(k - 1), Int32(k)) }
            while let top = Self.pop(&heap) {
                let l = Int(top.left)
                let r = Int(top.right)
                // Stale: a side was merged away or has grown since this candidate was made.
                guard symbols[l].length > 0, symbols[r].length > 0, symbols[l].id == top.leftID, symbols[r].id == top.rightID
                else { continue }
                symbols[l].id = top.merged
                symbols[l].length += symbols[r].length
                symbols[r].length = 0
                let next = symbols[r].next
                symbols[l].next = next
                if next >= 0 { symbols[Int(next)].prev = Int32(l) }
                consider(symbols[l].prev, Int32(l))
                consider(Int32(l), next)
            }
        }
        var k: Int32 = 0
        var previousWasUnknown = false
        while k >= 0 {
            let symbol = s.symbols[Int(k)]
            let start = Int(symbol.start)
            let bytes = UnsafeBufferPointer(rebasing: text[start..<(start + Int(symbol.length))])
            self.emit(symbol.id, bytes, revMerge: revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
            k = symbol.next
        }
        heap.removeAll(keepingCapacity: true)
        if !revMerge.isEmpty { revMerge.removeAll(keepingCapacity: true) }
        s.heap = heap
        s.revMerge = revMerge
    }

    /// Words up to this many symbols merge by scanning a small array of pair ranks, without a
    /// heap; longer text uses the heap (O(n log n)).
    static let scanLimit = 48

    /// The same merges as the heap loop: the best rank wins and, among equal ranks, the
    /// leftmost pair (positions keep their order as the array shrinks). Pairs are re-examined in
    /// SentencePiece's order (left neighbour, then right), which decides how an unused piece is
    /// split back.
    private func mergeByScanning(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt32], scratch s: inout Scratch) {
        var n = s.symbols.count
        let recordsReverseMerges = self.hasUnusedPieces
        s.symbols.withUnsafeMutableBufferPointer { symbols in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { pairs in
                @inline(__always)
                func value(_ k: Int) -> UInt64 {
                    let l = symbols[k]
                    let r = symbols[k + 1]
                    if l.frozen || r.frozen { return UInt64.max }
                    let v = self.pairValue(l.id, r.id)
                    if recordsReverseMerges && v != UInt64.max && self.isUnused[Int(UInt32(truncatingIfNeeded: v))] {
                        s.revMerge[UInt32(truncatingIfNeeded: v)] = (l.id, r.id)
                    }
                    return v
                }
                for k in 0..<(n - 1) { pairs[k] = value(k) }
                while n > 1 {
                    var bestRank = UInt64.max
                    var b = -1
                    for k in 0..<(n - 1) where pairs[k] >> 32 < bestRank {
                        bestRank = pairs[k] >> 32
                        b = k
                    }
                    if b < 0 || pairs[b] == UInt64.max { break }
                    symbols[b].id = UInt32(truncatingIfNeeded: pairs[b])
                    symbols[b].length += symbols[b + 1].length
                    // Close the gap left by the absorbed symbol.
                    var k = b + 1
                    while k < n - 1 {
                        symbols[k] = symbols[k + 1]
                        if k < n - 2 { pairs[k] = pairs[k + 1] }
                        k += 1
                    }
                    n -= 1
                    if b > 0 { pairs[b - 1] = value(b - 1) }
                    if b + 1 < n { pairs[b] = value(b) }
                }
            }
        }
        var previousWasUnknown = false
        for k in 0..<n {
            let symbol = s.symbols[k]
            let start = Int(symbol.start)
            let bytes = UnsafeBufferPointer(rebasing: text[start..<(start + Int(symbol.length))])
            self.emit(symbol.id, bytes, revMerge: s.revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
        }
        if !s.revMerge.isEmpty { s.revMerge.removeAll(keepingCapacity: true) }
    }

    /// Appends the ids of a final symbol: an unused piece is split back into the pair that
    /// formed it (recursively); a character that is not a piece becomes its bytes under byte
    /// fallback, else `unk`, one per run of unknowns.
    private func emit(
        _ id: UInt32, _ bytes: UnsafeBufferPointer<UInt8>, revMerge: [UInt32: (UInt32, UInt32)], into output: inout [UInt32],
        previousWasUnknown: inout Bool
    ) {
        if Int(id) < self.isUnused.count {
            if self.isUnused[Int(id)], let (left, right) = revMerge[id] {
                // The halves' bytes: the left one is a prefix of this symbol.
                let leftLength = self.byteLength(of: left, within: bytes)
                self.emit(left, UnsafeBufferPointer(rebasing: bytes[..<leftLength]), revMerge: revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
                self.emit(right, UnsafeBufferPointer(rebasing: bytes[leftLength...]), revMerge: revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
                return
            }
            output.append(id)
            previousWasUnknown = false
            return
        }
        if let byteFallback {
            for b in bytes { output.append(byteFallback[Int(b)]) }
            previousWasUnknown = false
            return
        }
        if !previousWasUnknown { output.append(self.unknown) }
        previousWasUnknown = true
    }

    /// How many leading bytes of `bytes` symbol `id` spans (a piece, or one character).
    private func byteLength(of id: UInt32, within bytes: UnsafeBufferPointer<UInt8>) -> Int {
        for length in 1...bytes.count {
            if let found = self.pieces.find(UnsafeBufferPointer(rebasing: bytes[..<length])), UInt32(truncatingIfNeeded: found) == id {
                return length
            }
        }
        let lead = bytes[0]
        return min(bytes.count, lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
    }

    // MARK: Heap

    private static func push(_ c: Candidate, _ heap: inout [Candidate]) {
        heap.append(c)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private static func pop(_ heap: inout [Candidate]) -> Candidate? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var best = i
                if l < heap.count && heap[l].precedes(heap[best]) { best = l }
                if r < heap.count && heap[r].precedes(heap[best]) { best = r }
                if best == i { break }
                heap.swapAt(i, best)
                i = best
            }
        }
        return first
    }
}
