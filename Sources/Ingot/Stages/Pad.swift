/// One document per row: truncates documents longer than `maxLength` and pads shorter ones, so
/// every row has exactly `maxLength` tokens.
///
/// This is the fix for `expected sequence of length 4096 at dim 1 (got 3999)`: dynamic padding
/// (`padding=True`) pads each batch to its own longest example, so batches come out ragged;
/// padding every example to one `max_length` makes them uniform.
public struct Pad: Stage {
    public typealias Input = TokenizedDocument
    public typealias Output = Row

    /// Which end of a sequence is cut or padded.
    public struct Side: Sendable, Hashable, CustomStringConvertible {
        enum Wrapped: Sendable, Hashable { case left, right }
        let wrapped: Wrapped
        public static let left = Side(wrapped: .left)
        public static let right = Side(wrapped: .right)
        public var description: String { self.wrapped == .left ? "left" : "right" }
        public init?(_ name: String) {
            switch name {
            case "left": self = .left
            case "right": self = .right
            default: return nil
            }
        }
        init(wrapped: Wrapped) { self.wrapped = wrapped }
    }

    public let maxLength: Int
    public let padID: UInt32
    public let truncation: Side
    public let padding: Side
    /// The token a right-cut document ends with again, so it still ends (nil: cut as it falls).
    public let keptEOS: UInt32?

    /// - Parameters:
    ///   - maxLength: the row length.
    ///   - padID: the token written in padding positions (segment id 0 marks them whatever it is).
    ///   - truncation: `.right` keeps the start of long documents, `.left` their end.
    ///   - padding: `.right` puts padding after the tokens, `.left` before.
    ///   - keepEOS: when a document ending with this token is cut at the right, its last kept
    ///     token becomes this one again, so the example still teaches the model to stop.
    public init(maxLength: Int, padID: UInt32, truncation: Side = .right, padding: Side = .right, keepEOS: UInt32? = nil) {
        precondition(maxLength > 0, "maxLength must be positive")
        self.maxLength = maxLength
        self.padID = padID
        self.truncation = truncation
        self.padding = padding
        self.keptEOS = keepEOS
    }

    /// Each document makes its own row.
    public var processesInputsIndependently: Bool { true }

    public func describe(_ description: inout StageDescription) {
        description.record("seq_len", self.maxLength)
        description.record("truncation_side", self.truncation)
        description.record("padding_side", self.padding)
        description.record("pad_token_id", self.padID)
        if let keptEOS { description.record("keep_eos", keptEOS) }
    }

    public mutating func process(
        _ document: consuming TokenizedDocument,
        context: StageContext,
        emit: (consuming Row) throws -> Void
    ) throws {
        context.statistics.documentsWritten += 1
        var tokens = document.tokens
        var mask = document.lossMask
        if tokens.count > self.maxLength {
            let cut = tokens.count - self.maxLength
            context.statistics.truncatedTokens += cut
            if self.truncation == .right {
                let endedWithEOS = self.keptEOS != nil && tokens.last == self.keptEOS
                tokens.removeLast(cut)
                mask?.removeLast(cut)
                if endedWithEOS {
                    tokens[tokens.count - 1] = self.keptEOS!
                    // Trained as the end it stands for, if the cut-off end was trained.
                    if mask != nil, let lastMask = document.lossMask?.last { mask![mask!.count - 1] = lastMask }
                }
            } else {
                tokens.removeFirst(cut)
                mask?.removeFirst(cut)
            }
        }
        let real = tokens.count
        let padCount = self.maxLength - real
        var segments = [UInt32](repeating: 1, count: real)
        if padCount > 0 {
            let pads = repeatElement(self.padID, count: padCount)
            let zeros = repeatElement(UInt32(0), count: padCount)
            if self.padding == .right {
                tokens.append(contentsOf: pads)
                segments.append(contentsOf: zeros)
                mask?.append(contentsOf: repeatElement(0, count: padCount))
            } else {
                tokens.insert(contentsOf: pads, at: 0)
                segments.insert(contentsOf: zeros, at: 0)
                mask?.insert(contentsOf: repeatElement(0, count: padCount), at: 0)
            }
        }
        try emit(try Row(seqLen: self.maxLength, tokens: tokens, segmentIDs: segments, lossMask: mask))
    }
}
