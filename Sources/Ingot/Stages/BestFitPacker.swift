/// Best-fit-decreasing packing over a streaming window.
///
/// Documents longer than a row are cut into full rows plus a remainder; everything else is placed
/// whole. Every `window` pieces, the window is sorted longest first (ties keep arrival order) and
/// each piece goes into the open row with the least room that still fits it, or a new row. Full
/// rows leave at once; partly filled rows stay open for later windows, the fullest leaving first
/// when more than `window` are open. Finding the best row is a scan of a bitset of free-space
/// values (seqLen / 64 words), never of the rows themselves.
struct BestFitPacker {
    let seqLen: Int
    let window: Int

    private var pending: [PackedRow.Piece] = []
    private var rows: [PackedRow?] = []
    private var freeRows: [Int] = []
    /// Open row ids by remaining capacity.
    private var byRemaining: [[Int]]
    /// Bit c set when some open row has exactly c tokens of room.
    private var occupied: [UInt64]
    private var openCount = 0

    init(seqLen: Int, window: Int) {
        self.seqLen = seqLen
        self.window = window
        self.byRemaining = Array(repeating: [], count: seqLen + 1)
        self.occupied = Array(repeating: 0, count: seqLen / 64 + 1)
    }

    /// Returns whether the document was split across rows.
    mutating func add(_ document: TokenizedDocument, emit: (PackedRow) throws -> Void) throws -> Bool {
        let tokens = document.tokens
        var start = 0
        let split = tokens.count > self.seqLen
        if split {
            while tokens.count - start >= self.seqLen {
                let piece = PackedRow.Piece(
                    tokens: tokens[start..<(start + self.seqLen)], lossMask: document.lossMask?[start..<(start + self.seqLen)])
                try emit(PackedRow(pieces: [piece], length: self.seqLen))
                start += self.seqLen
            }
        }
        if start < tokens.count {
            // The remainder of a split document waits for its window in its own small array: a
            // slice would keep the whole document's ids alive until then.
            let remainder = split ? ArraySlice(Array(tokens[start...])) : tokens[start...]
            let mask = document.lossMask.map { split ? ArraySlice(Array($0[start...])) : $0[start...] }
            self.pending.append(.init(tokens: remainder, lossMask: mask))
        }
        if self.pending.count >= self.window {
            try self.packWindow(emit: emit)
        }
        return split
    }

    mutating func flush(emit: (PackedRow) throws -> Void) throws {
        try self.packWindow(emit: emit)
        // Emit the remaining open rows, oldest first.
        for id in self.rows.indices {
            if let row = self.rows[id] {
                try emit(row)
                self.rows[id] = nil
            }
        }
        self.rows.removeAll()
        self.freeRows.removeAll()
        for c in self.byRemaining.indices { self.byRemaining[c].removeAll() }
        for w in self.occupied.indices { self.occupied[w] = 0 }
        self.openCount = 0
    }

    private mutating func packWindow(emit: (PackedRow) throws -> Void) throws {
        guard !self.pending.isEmpty else { return }
        let order = self.pending.indices.sorted { a, b in
            let la = self.pending[a].tokens.count
            let lb = self.pending[b].tokens.count
            return la != lb ? la > lb : a < b
        }
        for index in order {
            let piece = self.pending[index]
            let length = piece.tokens.count
            let id: Int
            if let capacity = self.smallestRemaining(atLeast: max(length, 1)) {
                id = self.takeRow(remaining: capacity)
            } else {
                id = self.newRow()
            }
            self.rows[id]!.pieces.append(piece)
            self.rows[id]!.length += length
            let remaining = self.seqLen - self.rows[id]!.length
            if remaining == 0 {
                try emit(self.rows[id]!)
                self.release(id)
            } else {
                self.file(id, remaining: remaining)
            }
        }
        self.pending.removeAll(keepingCapacity: true)
        // Bound memory: beyond `window` open rows, emit the fullest.
        var remaining = 1
        while self.openCount > self.window && remaining <= self.seqLen {
            while let id = self.byRemaining[remaining].first, self.openCount > self.window {
                self.byRemaining[remaining].removeFirst()
                if self.byRemaining[remaining].isEmpty { self.clearBit(remaining) }
                try emit(self.rows[id]!)
                self.release(id)
            }
            remaining += 1
        }
    }

    private mutating func newRow() -> Int {
        self.openCount += 1
        if let id = self.freeRows.popLast() {
            self.rows[id] = PackedRow()
            return id
        }
        self.rows.append(PackedRow())
        return self.rows.count - 1
    }

    private mutating func release(_ id: Int) {
        self.rows[id] = nil
        self.freeRows.append(id)
        self.openCount -= 1
    }

    private mutating func file(_ id: Int, remaining: Int) {
        self.byRemaining[remaining].append(id)
        self.occupied[remaining >> 6] |= 1 << UInt64(remaining & 63)
    }

    private mutating func takeRow(remaining: Int) -> Int {
        // Oldest row first among equals: deterministic and keeps rows from lingering.
        let id = self.byRemaining[remaining].removeFirst()
        if self.byRemaining[remaining].isEmpty { self.clearBit(remaining) }
        return id
    }

    private mutating func clearBit(_ c: Int) {
        self.occupied[c >> 6] &= ~(1 << UInt64(c & 63))
    }

    /// The smallest remaining capacity >= `length` that some open row has.
    private func smallestRemaining(atLeast length: Int) -> Int? {
        guard length <= self.seqLen else { return nil }
        var word = length >> 6
        var bits = self.occupied[word] & (~0 << UInt64(length & 63))
        while true {
            if bits != 0 { return word << 6 | bits.trailingZeroBitCount }
            word += 1
            if word >= self.occupied.count { return nil }
            bits = self.occupied[word]
        }
    }
}
