/// A token matched verbatim in the text before the model runs (`<|endoftext|>`, `</s>`, ...).
public struct AddedToken: Sendable, Hashable {
    public let id: UInt32
    public let content: String
    /// Special tokens are control tokens (BOS, EOS, PAD); others are ordinary vocabulary.
    public let isSpecial: Bool

    public init(id: UInt32, content: String, isSpecial: Bool) {
        self.id = id
        self.content = content
        self.isSpecial = isSpecial
    }
}

/// Finds added tokens in text: at each position, the longest token that starts there, scanning
/// left to right (HuggingFace's leftmost-longest matching).
struct AddedTokenMatcher: Sendable {
    /// Tokens grouped by first byte, longest first.
    private let byFirstByte: [[(bytes: [UInt8], id: UInt32)]]
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        var groups = [[(bytes: [UInt8], id: UInt32)]](repeating: [], count: 256)
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            groups[Int(bytes[0])].append((bytes, token.id))
        }
        for i in groups.indices { groups[i].sort { $0.bytes.count > $1.bytes.count } }
        self.byFirstByte = groups
        self.isEmpty = tokens.isEmpty
    }

    /// Splits `text` into runs of plain text and added tokens, in order.
    @inline(__always)
    func split(
        _ text: UnsafeBufferPointer<UInt8>,
        plain: (UnsafeBufferPointer<UInt8>) -> Void,
        token: (UInt32) -> Void
    ) {
        var runStart = 0
        var i = 0
        outer: while i < text.count {
            let candidates = self.byFirstByte[Int(text[i])]
            if !candidates.isEmpty {
                for candidate in candidates where candidate.bytes.count <= text.count - i {
                    var same = true
                    for k in 1..<candidate.bytes.count where text[i + k] != candidate.bytes[k] {
                        same = false
                        break
                    }
                    if same {
                        if i > runStart { plain(UnsafeBufferPointer(rebasing: text[runStart..<i])) }
                        token(candidate.id)
                        i += candidate.bytes.count
                        runStart = i
                        continue outer
                    }
                }
            }
            i += 1
        }
        if runStart < text.count { plain(UnsafeBufferPointer(rebasing: text[runStart..<text.count])) }
    }
}
