/// Packs documents into full rows of `seqLen` tokens, recording in each row which document every
/// token belongs to (segment ids), so the trainer can keep attention inside documents.
///
/// Two strategies:
/// - ``Strategy/greedy``: concatenate documents and cut rows every `seqLen` tokens. No padding
///   except in the last row, but documents are split at row boundaries.
/// - ``Strategy/bestFit(window:)``: best-fit-decreasing over a streaming window of documents
///   ("Fewer Truncations Improve Language Modeling", Ding et al., 2024). A document is split only
///   when it is longer than a row; rows stay open across windows (at most `window` of them), so
///   padding stays low while memory stays bounded.
public struct Pack: Stage {
    public typealias Input = TokenizedDocument
    public typealias Output = Row

    public struct Strategy: Sendable, Hashable, CustomStringConvertible {
        enum Wrapped: Sendable, Hashable {
            case greedy
            case bestFit(window: Int)
        }
        let wrapped: Wrapped

        public static let greedy = Strategy(wrapped: .greedy)
        /// - Parameter window: documents considered together (and the most rows kept open).
        public static func bestFit(window: Int = 2048) -> Strategy {
            precondition(window > 0, "window must be positive")
            return Strategy(wrapped: .bestFit(window: window))
        }

        public var description: String {
            switch self.wrapped {
            case .greedy: "greedy"
            case .bestFit(let window): "best-fit(window: \(window))"
            }
        }

        /// A strategy by name, as the command line spells it.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case bestFit = "best-fit"
            case greedy
        }

        /// The strategy of this kind; `window` is best-fit's.
        public init(_ kind: Kind, window: Int = 2048) {
            self = kind == .greedy ? .greedy : .bestFit(window: window)
        }

        init(wrapped: Wrapped) { self.wrapped = wrapped }
    }

    public let seqLen: Int
    public let padID: UInt32
    public let strategy: Strategy
    /// When false, every real token gets segment id 1: plain concatenation with no boundaries.
    public let documentBoundaries: Bool
    /// Greedy only: drop the final partial row instead of padding it (its tokens are counted as
    /// truncated).
    public let dropLastPartialRow: Bool

    private var greedy: GreedyPacker
    private var bestFit: BestFitPacker

    public init(
        seqLen: Int,
        padID: UInt32,
        strategy: Strategy = .bestFit(),
        documentBoundaries: Bool = true,
        dropLastPartialRow: Bool = false
    ) {
        precondition(seqLen > 0, "seqLen must be positive")
        self.seqLen = seqLen
        self.padID = padID
        self.strategy = strategy
        self.documentBoundaries = documentBoundaries
        self.dropLastPartialRow = dropLastPartialRow
        self.greedy = GreedyPacker(seqLen: seqLen)
        let window: Int
        if case .bestFit(let w) = strategy.wrapped { window = w } else { window = 1 }
        self.bestFit = BestFitPacker(seqLen: seqLen, window: window)
    }

    public mutating func process(
        _ document: consuming TokenizedDocument,
        context: StageContext,
        emit: (consuming Row) throws -> Void
    ) throws {
        context.statistics.documentsWritten += 1
        let rows = RowAssembler(seqLen: self.seqLen, padID: self.padID, boundaries: self.documentBoundaries)
        // Statistics are updated after the call, not through it: downstream stages update them
        // too while rows are emitted.
        let split: Bool
        switch self.strategy.wrapped {
        case .greedy:
            split = try self.greedy.add(document) { try emit(try rows.make($0)) }
        case .bestFit:
            split = try self.bestFit.add(document) { try emit(try rows.make($0)) }
        }
        if split { context.statistics.splitDocuments += 1 }
    }

    public func describe(_ description: inout StageDescription) {
        description.record("seq_len", self.seqLen)
        description.record("packing", self.strategy)
        description.record("document_boundaries", self.documentBoundaries)
        if self.strategy == .greedy { description.record("drop_last_partial_row", self.dropLastPartialRow) }
        description.record("pad_token_id", self.padID)
    }

    public mutating func finish(context: StageContext, emit: (consuming Row) throws -> Void) throws {
        let rows = RowAssembler(seqLen: self.seqLen, padID: self.padID, boundaries: self.documentBoundaries)
        switch self.strategy.wrapped {
        case .greedy:
            if self.dropLastPartialRow {
                context.statistics.truncatedTokens += self.greedy.pendingTokenCount
            } else {
                try self.greedy.flush { try emit(try rows.make($0)) }
            }
        case .bestFit:
            try self.bestFit.flush { try emit(try rows.make($0)) }
        }
    }
}

/// A row under construction: the pieces (whole documents or parts) placed in it, in order.
struct PackedRow {
    var pieces: [Piece] = []
    var length = 0

    struct Piece {
        var tokens: ArraySlice<UInt32>
        var lossMask: ArraySlice<UInt8>?
    }
}

/// Turns a list of pieces into a padded ``Row`` with segment ids 1...k.
struct RowAssembler {
    let seqLen: Int
    let padID: UInt32
    let boundaries: Bool

    func make(_ row: PackedRow) throws -> Row {
        var tokens: [UInt32] = []
        var segments: [UInt32] = []
        tokens.reserveCapacity(self.seqLen)
        segments.reserveCapacity(self.seqLen)
        let hasMask = row.pieces.contains { $0.lossMask != nil }
        var mask: [UInt8]? = hasMask ? [] : nil
        for (k, piece) in row.pieces.enumerated() {
            tokens.append(contentsOf: piece.tokens)
            segments.append(contentsOf: repeatElement(self.boundaries ? UInt32(k + 1) : 1, count: piece.tokens.count))
            if hasMask {
                if let m = piece.lossMask { mask!.append(contentsOf: m) } else { mask!.append(contentsOf: repeatElement(1, count: piece.tokens.count)) }
            }
        }
        let padCount = self.seqLen - tokens.count
        tokens.append(contentsOf: repeatElement(self.padID, count: padCount))
        segments.append(contentsOf: repeatElement(0, count: padCount))
        mask?.append(contentsOf: repeatElement(0, count: padCount))
        return try Row(seqLen: self.seqLen, tokens: tokens, segmentIDs: segments, lossMask: mask)
    }
}
