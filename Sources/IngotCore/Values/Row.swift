/// A fixed-length training row: exactly `seqLen` tokens, with the document each token belongs to.
///
/// This is the only type the shard writer accepts. Its initializer checks every column's length,
/// so a ragged row cannot exist, whatever stage produced it.
public struct Row: Sendable, Equatable {
    /// The row length every column has.
    public let seqLen: Int
    /// Token ids, `seqLen` of them.
    public let tokens: [UInt32]
    /// Document segment of each token: 0 for padding, 1...k for the k-th document in the row.
    public let segmentIDs: [UInt32]
    /// Per-token loss mask (1 = train on this token), when the pipeline has one.
    public let lossMask: [UInt8]?

    /// The error thrown when columns do not have exactly `seqLen` entries.
    public struct LengthError: Error, Sendable, CustomStringConvertible {
        public let column: String
        public let expected: Int
        public let actual: Int
        public var description: String {
            "row column '\(self.column)' has \(self.actual) entries, expected seq_len \(self.expected)"
        }
    }

    public init(seqLen: Int, tokens: [UInt32], segmentIDs: [UInt32], lossMask: [UInt8]? = nil) throws(LengthError) {
        guard tokens.count == seqLen else {
            throw LengthError(column: "input_ids", expected: seqLen, actual: tokens.count)
        }
        guard segmentIDs.count == seqLen else {
            throw LengthError(column: "segment_ids", expected: seqLen, actual: segmentIDs.count)
        }
        if let lossMask, lossMask.count != seqLen {
            throw LengthError(column: "loss_mask", expected: seqLen, actual: lossMask.count)
        }
        self.seqLen = seqLen
        self.tokens = tokens
        self.segmentIDs = segmentIDs
        self.lossMask = lossMask
    }

    /// Number of padding tokens (segment 0).
    public var paddingCount: Int {
        // Without a branch or an overflow check, so that the loop is vectorized.
        self.segmentIDs.withUnsafeBufferPointer { ids in ids.reduce(0) { $0 &+ ($1 == 0 ? 1 : 0) } }
    }
}
