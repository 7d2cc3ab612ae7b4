/// Unigram language-model tokenization (T5, ALBERT, XLNet, mBART): the segmentation of each
/// piece that maximizes the sum of token log-probabilities, found by Viterbi over the lattice of
/// vocabulary entries, exactly as HuggingFace `tokenizers` (and SentencePiece) compute it.
///
/// Ties keep the first candidate in lattice order (earlier start, then shorter entry), a
/// character no single-character entry covers is an unknown node scored `min(score) - 10`, and
/// runs of unknowns are fused into one unknown token when `fuseUnknown`.
struct UnigramModel: Sendable {
    let trie: PrefixTrie
    /// Log-probability per id.
    let scores: [Double]
    /// Token bytes -> id, for turning the best path's pieces into ids.
    let vocabulary: ByteKeyedTable
    let unknown: UInt32?
    let unknownScore: Double
    let fuseUnknown: Bool
    /// `<0xXX>` ids for byte fallback of unknown pieces.
    let byteFallback: [UInt32]?
    /// SentencePiece adds path scores in single precision; HuggingFace in double. (Rounding
    /// depends on the path score's magnitude, which is also why a piece is never cut into
    /// words before Viterbi: ties could then break differently.)
    let singlePrecision: Bool

    /// Per-encoder buffers, reused across pieces.
    struct Lattice: Sendable {
        var best: [Double] = []
        var from: [Int32] = []
        var id: [UInt32] = []
    }

    init(
        trie: PrefixTrie, scores: [Double], vocabulary: ByteKeyedTable, unknown: UInt32?, fuseUnknown: Bool,
        byteFallback: [UInt32]?, singlePrecision: Bool = false, minimumScore: Double? = nil
    ) {
        self.trie = trie
        self.scores = scores
        self.vocabulary = vocabulary
        self.unknown = unknown
        self.unknownScore = (minimumScore ?? scores.min() ?? 0) - 10
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.singlePrecision = singlePrecision
    }

    @inline(__always)
    private func add(_ a: Double, _ b: Double) -> Double {
        self.singlePrecision ? Double(Float(a) + Float(b)) : a + b
    }

    func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [UInt32], lattice: inout Lattice) {
        let n = piece.count
        guard n > 0 else { return }
        lattice.best.removeAll(keepingCapacity: true)
        lattice.from.removeAll(keepingCapacity: true)
        lattice.id.removeAll(keepingCapacity: true)
        lattice.best.append(contentsOf: repeatElement(0, count: n + 1))
        lattice.from.append(contentsOf: repeatElement(-1, count: n + 1))
        lattice.id.append(contentsOf: repeatElement(0, count: n + 1))
        let unknownID = self.unknown ?? UInt32.max
        lattice.best.withUnsafeMutableBufferPointer { best in
            lattice.from.withUnsafeMutableBufferPointer { from in
                lattice.id.withUnsafeMutableBufferPointer { ids in
                    var start = 0
                    while start < n {
                        let here = best[start]
                        let lead = piece[start]
                        let characterLength = min(n - start, lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
                        var coversCharacter = false
                        self.trie.forEachPrefix(of: piece, from: start) { length, value in
                            let end = start + length
                            let candidate = self.add(self.scores[Int(value)], here)
                            if from[end] < 0 || candidate > best[end] {
                                best[end] = candidate
                                from[end] = Int32(start)
                                ids[end] = UInt32(value)
                            }
                            if length == characterLength { coversCharacter = true }
                        }
                        if !coversCharacter {
                            let end = start + characterLength
                            let candidate = self.add(self.unknownScore, here)
                            if from[end] < 0 || candidate > best[end] {
                                best[end] = candidate
                                from[end] = Int32(start)
                                ids[end] = unknownID
                            }
                        }
                        start += characterLength
                    }
                }
            }
        }
        // Walk the best path back, fusing runs of unknown nodes.
        let before = output.count
        var end = n
        var unknownRunEnd = -1
        while end > 0 {
            let start = Int(lattice.from[end])
            let id = lattice.id[end]
            if id == unknownID && self.fuseUnknown {
                if unknownRunEnd < 0 { unknownRunEnd = end }
            } else {
                if unknownRunEnd >= 0 {
                    self.appendReversed(piece, end..<unknownRunEnd, into: &output)
                    unknownRunEnd = -1
                }
                if id == unknownID {
                    self.appendReversed(piece, start..<end, into: &output)
                } else {
                    output.append(id)
                }
            }
            end = start
        }
        if unknownRunEnd >= 0 { self.appendReversed(piece, 0..<unknownRunEnd, into: &output) }
        output[before...].reverse()
    }

    /// Appends, reversed (the caller reverses the whole piece at the end), the ids of an unknown
    /// span: its vocabulary id if it has one, else its bytes (byte fallback), else `unk`.
    private func appendReversed(_ piece: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into output: inout [UInt32]) {
        let span = UnsafeBufferPointer(rebasing: piece[range])
        if let id = self.vocabulary.find(span) {
            output.append(UInt32(truncatingIfNeeded: id))
        } else if let byteFallback {
            for b in span.reversed() { output.append(byteFallback[Int(b)]) }
        } else if let unknown {
            output.append(unknown)
        }
    }
}
