/// Concatenates documents and cuts a row every `seqLen` tokens.
struct GreedyPacker {
    let seqLen: Int
    private var current = PackedRow()

    init(seqLen: Int) {
        self.seqLen = seqLen
    }

    var pendingTokenCount: Int { self.current.length }

    /// Returns whether the document was split across rows.
    mutating func add(_ document: TokenizedDocument, emit: (PackedRow) throws -> Void) throws -> Bool {
        let tokens = document.tokens
        var start = 0
        var rowsTouched = 0
        while start < tokens.count {
            let take = min(self.seqLen - self.current.length, tokens.count - start)
            self.current.pieces.append(.init(tokens: tokens[start..<(start + take)], lossMask: document.lossMask?[start..<(start + take)]))
            self.current.length += take
            start += take
            rowsTouched += 1
            if self.current.length == self.seqLen {
                try emit(self.current)
                self.current = PackedRow()
            }
        }
        return rowsTouched > 1
    }

    mutating func flush(emit: (PackedRow) throws -> Void) throws {
        if self.current.length > 0 {
            try emit(self.current)
            self.current = PackedRow()
        }
    }
}
