import Foundation

extension Tokenizer {
    /// Where each token of `ids` lies in `text`, as UTF-8 byte ranges: what a loss mask needs to
    /// know which tokens a span of the text covers. `ids` must be what ``encode(_:matchingAddedTokens:addingSpecialTokens:)``
    /// gives for `text` without added special tokens.
    ///
    /// The tokens' bytes are aligned with the text. They are the text itself for byte-level BPE
    /// (GPT-2, Llama 3, Qwen, tiktoken, Tekken); SentencePiece-style tokenizers (Llama 2, Mistral,
    /// Gemma) hold a space where the text has a space or `▁`, and one more before each run of
    /// text (the prepended `▁`), which covers no text; whitespace an added token strips
    /// (`lstrip`/`rstrip`) belongs to the token beside it. Returns nil when the tokens do not
    /// spell the text that way (a normalizer that rewrites text, such as lowercasing or NFKC).
    public func offsets(of ids: [UInt32], in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        var offsets: [Range<Int>] = []
        offsets.reserveCapacity(ids.count)
        var position = 0
        let aligned = self.tokenBytes.withUnsafeTokens { tokens in
            // The usual case, and the only one for byte-level BPE: each token is the next bytes.
            for id in ids {
                guard Int(id) < tokens.count else { return false }
                let token = tokens[Int(id)]
                let count = token.count
                guard position + count <= text.count, count == 0 || memcmp(token.baseAddress!, text.baseAddress! + position, count) == 0 else {
                    return false
                }
                offsets.append(position..<(position + count))
                position += count
            }
            return position == text.count
        }
        if aligned { return offsets }
        offsets.removeAll(keepingCapacity: true)
        position = 0
        let spelled = self.tokenBytes.withUnsafeTokens { tokens in
            for id in ids {
                guard Int(id) < tokens.count else { return false }
                let token = tokens[Int(id)]
                var start = position
                var i = 0
                while i < token.count {
                    let byte = token[i]
                    if position < text.count && text[position] == byte {
                        position += 1
                        i += 1
                    } else if let marker = Self.markerLength(token, i), position < text.count, text[position] == 0x20 {
                        // `▁` in the token, a space in the text.
                        position += 1
                        i += marker
                    } else if byte == 0x20, Self.markerLength(text, position) != nil {
                        // A space in the token (an unescaped `▁`), `▁` in the text.
                        position += 3
                        i += 1
                    } else if byte == 0x20 || Self.markerLength(token, i) != nil {
                        // The `▁` put before a run of text: it covers none.
                        i += Self.markerLength(token, i) ?? 1
                    } else if i == 0, position < text.count, Self.isWhitespace(text[position]) {
                        // Whitespace an added token stripped (`rstrip`): the previous token's.
                        position += 1
                        if let last = offsets.popLast() { offsets.append(last.lowerBound..<position) }
                        start = position
                    } else {
                        return false
                    }
                }
                offsets.append(min(start, position)..<position)
            }
            return true
        }
        guard spelled else { return nil }
        // Whitespace stripped after the last token.
        while position < text.count, Self.isWhitespace(text[position]) {
            position += 1
            if let last = offsets.popLast() { offsets.append(last.lowerBound..<position) }
        }
        return position == text.count ? offsets : nil
    }

    /// 3 when `bytes` has U+2581 (`▁`, E2 96 81) at `index`.
    private static func markerLength(_ bytes: some RandomAccessCollection<UInt8>, _ index: Int) -> Int? {
        let start = bytes.index(bytes.startIndex, offsetBy: index)
        guard index + 2 < bytes.count, bytes[start] == 0xE2, bytes[bytes.index(after: start)] == 0x96,
            bytes[bytes.index(start, offsetBy: 2)] == 0x81
        else { return nil }
        return 3
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
