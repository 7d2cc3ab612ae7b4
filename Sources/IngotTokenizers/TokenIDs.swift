/// The ids a tokenizer file may declare. Ids index the table of token bytes, so one absurd id
/// would size that table from a single number in the file (a damaged file asking for gigabytes):
/// an id must stay below the file's count of entries plus room for gaps (reserved ranges,
/// special tokens past the vocabulary), and below 2^31.
enum TokenIDs {
    /// Ids a file may leave unused above its entries.
    static let gapAllowance = 1 << 20

    /// Throws `fail(...)` unless `id` is a plausible id in a file of `entries` entries.
    static func check(_ id: Int, entries: Int, _ what: @autoclosure () -> String, fail: (String) -> TokenizerError) throws(TokenizerError) {
        guard id >= 0, id < min(entries + Self.gapAllowance, 1 << 31) else {
            throw fail("\(what()) has id \(id), implausible for \(entries) entries (gaps of more than \(Self.gapAllowance) ids are refused)")
        }
    }
}
