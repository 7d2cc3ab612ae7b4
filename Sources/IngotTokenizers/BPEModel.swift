/// Byte-level BPE (GPT-2, Llama-3, Qwen): pieces of UTF-8 start as one token per byte and merge
/// by rank, lowest rank first and leftmost on ties, exactly as HuggingFace `tokenizers` does.
struct BPEModel: Sendable {
    /// How a piece becomes its initial symbols before merging.
    enum Alphabet: Sendable {
        /// Byte-level: one symbol per byte (GPT-2, Llama 3).
        case bytes
        /// SentencePiece style: one symbol per character in the vocabulary; other characters
        /// become their UTF-8 bytes as `<0xXX>` tokens (byte fallback), else `unk` (consecutive
        /// unknowns fused into one when `fuseUnknown`).
        case characters(byteFallback: [UInt32]?, unknown: UInt32?, fuseUnknown: Bool)
    }

    /// Token id for each single byte (byte-level alphabets only).
    let byteTokens: [UInt32]
    var alphabet: Alphabet = .bytes

    var isByteLevel: Bool {
        if case .bytes = self.alphabet { return true }
        return false
    }
    /// Token bytes -> id.
    let vocabulary: ByteKeyedTable
    let merges: MergeTable
    /// With `ignore_merges`, a piece that is itself a vocabulary entry is emitted as is.
    var ignoreMerges: Bool

    /// Pieces up to this many bytes are merged with a simple scan; longer ones with a heap, so a
    /// pathological 100 MB piece still costs O(n log n).
    static let scanLimit = 48

    /// Appends the tokens of one pre-tokenized piece.
    @inline(__always)
    func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [UInt32], scratch: inout [UInt32]) {
        if case .characters(let byteFallback, let unknown, let fuseUnknown) = self.alphabet {
            self.encodeCharacters(piece, byteFallback: byteFallback, unknown: unknown, fuseUnknown: fuseUnknown, into: &output, scratch: &scratch)
            return
        }
        if piece.count == 1 {
            output.append(self.byteTokens[Int(piece[0])])
            return
        }
        if self.ignoreMerges, let id = self.vocabulary.find(piece) {
            output.append(UInt32(truncatingIfNeeded: id))
            return
        }
        scratch.removeAll(keepingCapacity: true)
        for b in piece { scratch.append(self.byteTokens[Int(b)]) }
        if piece.count <= Self.scanLimit {
            self.mergeByScanning(&scratch)
            output.append(contentsOf: scratch)
        } else {
            self.mergeWithHeap(scratch, into: &output)
        }
    }

    private func encodeCharacters(
        _ piece: UnsafeBufferPointer<UInt8>, byteFallback: [UInt32]?, unknown: UInt32?, fuseUnknown: Bool,
        into output: inout [UInt32], scratch: inout [UInt32]
    ) {
        if self.ignoreMerges, let id = self.vocabulary.find(piece) {
            output.append(UInt32(truncatingIfNeeded: id))
            return
        }
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        var previousWasUnknown = false
        while i < piece.count {
            let b = piece[i]
            let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            let character = UnsafeBufferPointer(rebasing: piece[i..<min(piece.count, i + length)])
            if let id = self.vocabulary.find(character) {
                scratch.append(UInt32(truncatingIfNeeded: id))
                previousWasUnknown = false
            } else if let byteFallback {
                for byte in character { scratch.append(byteFallback[Int(byte)]) }
                previousWasUnknown = false
            } else if let unknown {
                if !(fuseUnknown && previousWasUnknown) { scratch.append(unknown) }
                previousWasUnknown = true
            }
            i += length
        }
        if scratch.count <= Self.scanLimit {
            self.mergeByScanning(&scratch)
            output.append(contentsOf: scratch)
        } else {
            self.mergeWithHeap(scratch, into: &output)
        }
    }

    /// Merges a short piece: the rank of each adjacent pair is kept in a small array, so a
    /// merge costs a scan for the minimum plus two lookups for the new neighbours.
    private func mergeByScanning(_ parts: inout [UInt32]) {
        guard parts.count > 1 else { return }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: parts.count) { ranks in
            // MergeTable.none (above every rank) where the pair does not merge. Ranks name the
            // token they make, so equal ranks are equal merges: the leftmost wins.
            var n = parts.count
            for i in 0..<(n - 1) { ranks[i] = self.merges.payload(parts[i], parts[i + 1]) }
            while n > 1 {
                var best = MergeTable.none
                var b = -1
                for i in 0..<(n - 1) where ranks[i] < best {
                    best = ranks[i]
                    b = i
                }
                if b < 0 { break }
                parts[b] = self.merges.merged(rank: best)
                parts.remove(at: b + 1)
                n -= 1
                // Pairs right of the merge shift down by one; the two touching it are new.
                var j = b + 1
                while j < n - 1 {
                    ranks[j] = ranks[j + 1]
                    j += 1
                }
                if b + 1 < n { ranks[b] = self.merges.payload(parts[b], parts[b + 1]) }
                if b > 0 { ranks[b - 1] = self.merges.payload(parts[b - 1], parts[b]) }
            }
        }
    }

    private func mergeWithHeap(_ initial: [UInt32], into output: inout [UInt32]) {
        var tokens = initial
        let n = tokens.count
        var next = Array(1...n)  // n means "none"
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            let rank = self.merges.payload(tokens[i], tokens[i + 1])
            if rank != MergeTable.none { heap.push(UInt64(rank) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = UInt32(truncatingIfNeeded: top >> 32)
            let i = Int(top & 0xFFFF_FFFF)
            guard alive[i], next[i] < n else { continue }
            let j = next[i]
            guard self.merges.payload(tokens[i], tokens[j]) == rank else { continue }  // stale entry
            tokens[i] = self.merges.merged(rank: rank)
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { prev[next[j]] = i }
            if prev[i] >= 0 {
                let p = prev[i]
                let left = self.merges.payload(tokens[p], tokens[i])
                if left != MergeTable.none { heap.push(UInt64(left) << 32 | UInt64(p)) }
            }
            if next[i] < n {
                let right = self.merges.payload(tokens[i], tokens[next[i]])
                if right != MergeTable.none { heap.push(UInt64(right) << 32 | UInt64(i)) }
            }
        }
        var i = 0
        while i < n {
            output.append(tokens[i])
            i = next[i]
        }
    }
}

/// A binary min-heap of packed (rank, position) keys.
private struct MinHeap {
    var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        self.items.append(value)
        var i = self.items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if self.items[parent] <= self.items[i] { break }
            self.items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = self.items.first else { return nil }
        let last = self.items.removeLast()
        if !self.items.isEmpty {
            self.items[0] = last
            var i = 0
            let count = self.items.count
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var smallest = i
                if l < count && self.items[l] < self.items[smallest] { smallest = l }
                if r < count && self.items[r] < self.items[smallest] { smallest = r }
                if smallest == i { break }
                self.items.swapAt(i, smallest)
                i = smallest
            }
        }
        return first
    }
}
