/// A document as token ids. Its length is whatever the text gives: ragged, so it cannot be
/// written to a shard until ``Row``-producing stages (pad or pack) make it fixed-length.
public struct TokenizedDocument: Sendable, Equatable {
    public var tokens: [UInt32]
    /// Per-token loss mask (1 = train on this token); `nil` means every token counts.
    public var lossMask: [UInt8]?
    public var location: InputLocation

    public init(tokens: [UInt32], lossMask: [UInt8]? = nil, location: InputLocation) {
        precondition(lossMask == nil || lossMask!.count == tokens.count, "loss mask length must match tokens")
        self.tokens = tokens
        self.lossMask = lossMask
        self.location = location
    }
}
