/// SentencePiece's BPE (Llama 2, the original Mistral): pieces merge by the *score of the merged
/// piece*, highest first and leftmost on ties, over the whole normalized text, as
/// `bpe_model.cc` does. (HuggingFace's conversion to ranked merges agrees on most text; this is
/// the reference.) Merged pieces marked unused are split back into the pieces they came from.
struct SentencePieceBPE: Sendable {
    /// Normal, user-defined and unused pieces -> id.
    let pieces: ByteKeyedTable
    let scores: [Float]
    let isUnused: [Bool]
    /// User-defined symbols, matched whole and never merged.
    let userDefined: PrefixTrie?
    let unknown: UInt32
    /// `<0xXX>` ids when byte fallback is on.
    let byteFallback: [UInt32]?

    /// Per-encoder buffers, reused across calls.
    struct Scratch: Sendable {
        var start: [Int32] = []
        var length: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var frozen: [Bool] = []
        var heap: [Candidate] = []
        var revMerge: [[UInt8]: ([UInt8], [UInt8])] = [:]
    }

    struct Candidate: Sendable {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32

        /// Heap order: higher score first, then the leftmost.
        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            self.score > other.score || (self.score == other.score && self.left < other.left)
        }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt32], scratch s: inout Scratch) {
        guard !text.isEmpty else { return }
        s.start.removeAll(keepingCapacity: true)
        s.length.removeAll(keepingCapacity: true)
        s.frozen.removeAll(keepingCapacity: true)
        // Initial symbols: user-defined symbols whole (frozen), else one character each.
        var i = 0
        while i < text.count {
            var length = 0
            if let userDefined {
                userDefined.forEachPrefix(of: text, from: i) { l, _ in length = l }
            }
            let frozen = length > 0
            if !frozen {
                let lead = text[i]
                length = min(text.count - i, lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
            }
            s.start.append(Int32(i))
            s.length.append(Int32(length))
            s.frozen.append(frozen)
            i += length
        }
        let n = s.start.count
        s.prev.removeAll(keepingCapacity: true)
        s.next.removeAll(keepingCapacity: true)
        for k in 0..<n {
            s.prev.append(Int32(k - 1))
            s.next.append(k + 1 < n ? Int32(k + 1) : -1)
        }
        s.heap.removeAll(keepingCapacity: true)
        for k in 1..<max(n, 1) { self.consider(Int32(k - 1), Int32(k), text, &s) }

        while let top = Self.pop(&s.heap) {
            let l = Int(top.left)
            let r = Int(top.right)
            // Stale: a side was merged away, or grew since this candidate was made.
            guard s.length[l] > 0, s.length[r] > 0, s.length[l] + s.length[r] == top.size else { continue }
            s.length[l] += s.length[r]
            s.length[r] = 0
            s.next[l] = s.next[r]
            if s.next[r] >= 0 { s.prev[Int(s.next[r])] = Int32(l) }
            self.consider(s.prev[l], Int32(l), text, &s)
            self.consider(Int32(l), s.next[l], text, &s)
        }

        var k: Int32 = n > 0 ? 0 : -1
        var previousWasUnknown = false
        while k >= 0 {
            let start = Int(s.start[Int(k)])
            let symbol = UnsafeBufferPointer(rebasing: text[start..<(start + Int(s.length[Int(k)]))])
            self.resegment(symbol, revMerge: s.revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
            k = s.next[Int(k)]
        }
        s.revMerge.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func consider(_ left: Int32, _ right: Int32, _ text: UnsafeBufferPointer<UInt8>, _ s: inout Scratch) {
        guard left >= 0, right >= 0, !s.frozen[Int(left)], !s.frozen[Int(right)] else { return }
        let start = Int(s.start[Int(left)])
        let leftSize = Int(s.length[Int(left)])
        let size = leftSize + Int(s.length[Int(right)])
        let merged = UnsafeBufferPointer(rebasing: text[start..<(start + size)])
        guard let id = self.pieces.find(merged) else { return }
        Self.push(Candidate(score: self.scores[Int(id)], left: left, right: right, size: Int32(size)), &s.heap)
        if self.isUnused[Int(id)] {
            // The latest pair that can form an unused piece is how it is split back.
            s.revMerge[Array(merged)] = (Array(text[start..<(start + leftSize)]), Array(text[(start + leftSize)..<(start + size)]))
        }
    }

    /// Appends the ids of a final symbol: an unused piece is split back into the pair that
    /// formed it (recursively); an unknown one becomes its bytes under byte fallback, else
    /// `unk`, one per run of unknowns.
    private func resegment(
        _ piece: UnsafeBufferPointer<UInt8>, revMerge: [[UInt8]: ([UInt8], [UInt8])], into output: inout [UInt32],
        previousWasUnknown: inout Bool
    ) {
        if let id = self.pieces.find(piece) {
            if self.isUnused[Int(id)], let (left, right) = revMerge[Array(piece)] {
                left.withUnsafeBufferPointer {
                    self.resegment($0, revMerge: revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
                }
                right.withUnsafeBufferPointer {
                    self.resegment($0, revMerge: revMerge, into: &output, previousWasUnknown: &previousWasUnknown)
                }
                return
            }
            output.append(UInt32(truncatingIfNeeded: id))
            previousWasUnknown = false
            return
        }
        if let byteFallback {
            for b in piece { output.append(byteFallback[Int(b)]) }
            previousWasUnknown = false
            return
        }
        if !previousWasUnknown { output.append(self.unknown) }
        previousWasUnknown = true
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
