/// A byte trie for common-prefix search: every vocabulary entry that is a prefix of the text at
/// a position, shortest first, in one walk (one hash probe per byte, stopping at the first byte
/// no entry continues with). Unigram's lattice is built from it.
struct PrefixTrie: Sendable {
    /// Edge (node << 8 | byte) -> child node, open addressing; key 0 marks an empty slot (no
    /// edge leads back to the root, so (0 << 8 | 0) + 1 never collides: keys are stored + 1).
    private var keys: [UInt64]
    private var children: [UInt32]
    private var mask: Int
    private var edgeCount = 0
    /// Value per node; -1 when no entry ends there.
    private(set) var values: [Int32] = [-1]

    init(minimumCapacity: Int = 1024) {
        var size = 1024
        while size < minimumCapacity * 2 { size <<= 1 }
        self.keys = Array(repeating: 0, count: size)
        self.children = Array(repeating: 0, count: size)
        self.mask = size - 1
    }

    @inline(__always)
    func child(of node: UInt32, _ byte: UInt8) -> UInt32? {
        let key = (UInt64(node) << 8 | UInt64(byte)) + 1
        var i = IntegerKeyHash.slot(key) & self.mask
        while true {
            let k = self.keys[i]
            if k == key { return self.children[i] }
            if k == 0 { return nil }
            i = (i + 1) & self.mask
        }
    }

    /// Adds `bytes` with `value` (a later insert of the same bytes keeps the first value).
    mutating func insert(_ bytes: some Collection<UInt8>, value: Int32) {
        var node: UInt32 = 0
        for b in bytes {
            if let next = self.child(of: node, b) {
                node = next
                continue
            }
            if (self.edgeCount + 1) * 2 > self.keys.count { self.grow() }
            let next = UInt32(self.values.count)
            self.values.append(-1)
            self.put(key: (UInt64(node) << 8 | UInt64(b)) + 1, child: next)
            node = next
        }
        if self.values[Int(node)] < 0 { self.values[Int(node)] = value }
    }

    private mutating func put(key: UInt64, child: UInt32) {
        var i = IntegerKeyHash.slot(key) & self.mask
        while self.keys[i] != 0 { i = (i + 1) & self.mask }
        self.keys[i] = key
        self.children[i] = child
        self.edgeCount += 1
    }

    private mutating func grow() {
        let oldKeys = self.keys
        let oldChildren = self.children
        self.keys = Array(repeating: 0, count: oldKeys.count * 2)
        self.children = Array(repeating: 0, count: oldKeys.count * 2)
        self.mask = self.keys.count - 1
        self.edgeCount = 0
        for (i, key) in oldKeys.enumerated() where key != 0 { self.put(key: key, child: oldChildren[i]) }
    }

    /// Calls `body(length, value)` for each entry that is a prefix of `text[start...]`, shortest
    /// first.
    @inline(__always)
    func forEachPrefix(of text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, Int32) -> Void) {
        var node: UInt32 = 0
        var i = start
        while i < text.count, let next = self.child(of: node, text[i]) {
            node = next
            i += 1
            let value = self.values[Int(node)]
            if value >= 0 { body(i - start, value) }
        }
    }
}
