/// The bytes of every token id, for decoding and token offsets: one buffer and a span per id.
///
/// A vocabulary is one allocation, not one array per token (128k of them for Llama 3, made and
/// joined at every start-up); a vocabulary read in file order can be kept as it was read. An
/// entry set again (an added token's text, a byte-fallback token's byte) is appended to the
/// buffer and its span moved, leaving the old bytes unused.
struct TokenBytes: Sendable {
    private var storage: [UInt8]
    /// Per id: where its bytes start in `storage`, and their count (0 for unused ids).
    private var starts: [UInt32]
    private var lengths: [UInt32]

    init() {
        self.storage = []
        self.starts = []
        self.lengths = []
    }

    /// Entries laid end to end in `arena` as a reader met them: entry `i` is the bytes from the
    /// previous entry's end to `ends[i]`, with id `ids[i]` (a later entry with the same id wins).
    /// Keeps `arena` as its buffer. Ids must be below `count`.
    init(arena: [UInt8], ends: [UInt32], ids: [Int], count: Int) {
        self.storage = arena
        self.starts = Array(repeating: 0, count: count)
        self.lengths = Array(repeating: 0, count: count)
        var start: UInt32 = 0
        for (end, id) in zip(ends, ids) {
            self.starts[id] = start
            self.lengths[id] = end - start
            start = end
        }
    }

    /// The number of ids, used or not.
    var count: Int { self.starts.count }

    /// Token `id`'s bytes, a view of the buffer: held while the buffer changes, it makes the
    /// change copy the whole buffer (``rewrite(_:)`` changes tokens from their bytes without).
    subscript(id: Int) -> ArraySlice<UInt8> {
        let start = Int(self.starts[id])
        return self.storage[start..<(start + Int(self.lengths[id]))]
    }

    /// Adds the next id.
    mutating func append(_ bytes: some Collection<UInt8>) {
        self.starts.append(UInt32(self.storage.count))
        self.lengths.append(UInt32(bytes.count))
        self.storage.append(contentsOf: bytes)
    }

    /// Replaces each token for which `replacement` returns new bytes. The old bytes are lent
    /// only for the call, so no view of the buffer is alive when it grows.
    mutating func rewrite(_ replacement: (_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]?) {
        for id in 0..<self.count {
            let start = Int(self.starts[id])
            let new = self.storage.withUnsafeBufferPointer { storage in
                replacement(id, UnsafeBufferPointer(rebasing: storage[start..<(start + Int(self.lengths[id]))]))
            }
            if let new { self.set(id, to: new) }
        }
    }

    /// Makes `bytes` token `id`'s, adding empty ids up to it.
    mutating func set(_ id: Int, to bytes: some Collection<UInt8>) {
        if id >= self.count {
            self.starts.append(contentsOf: repeatElement(0, count: id + 1 - self.count))
            self.lengths.append(contentsOf: repeatElement(0, count: id + 1 - self.lengths.count))
        }
        self.starts[id] = UInt32(self.storage.count)
        self.lengths[id] = UInt32(bytes.count)
        self.storage.append(contentsOf: bytes)
    }

    /// Calls `body` with a lookup of each id's bytes that retains nothing per token.
    func withUnsafeTokens<R>(_ body: (UnsafeTokens) throws -> R) rethrows -> R {
        try self.storage.withUnsafeBufferPointer { storage in
            try self.starts.withUnsafeBufferPointer { starts in
                try self.lengths.withUnsafeBufferPointer { lengths in
                    try body(UnsafeTokens(storage: storage, starts: starts, lengths: lengths))
                }
            }
        }
    }

    struct UnsafeTokens {
        fileprivate let storage: UnsafeBufferPointer<UInt8>
        fileprivate let starts: UnsafeBufferPointer<UInt32>
        fileprivate let lengths: UnsafeBufferPointer<UInt32>

        var count: Int { self.starts.count }

        subscript(id: Int) -> UnsafeBufferPointer<UInt8> {
            let start = Int(self.starts[id])
            return UnsafeBufferPointer(rebasing: self.storage[start..<(start + Int(self.lengths[id]))])
        }
    }
}
