import Synchronization

/// The non-null values of one column, decoded: byte arrays as ranges of byte buffers, or numbers,
/// or booleans.
///
/// Byte arrays are not copied on their way from the page to a batch of rows: a PLAIN page keeps
/// the decompressed page as its buffer, a dictionary-encoded page refers to the dictionary
/// page's buffer, and a batch refers to the pages' buffers (arrays share their storage until
/// written). Only the delta encodings build a buffer of their own.
struct ColumnValues: Sendable {
    enum Kind { case bytes, integers, reals, booleans }

    /// Where one byte array is: a range of one of the buffers.
    struct ByteRef: Sendable {
        var buffer: Int
        var range: Range<Int>
    }

    let kind: Kind
    var buffers: [[UInt8]] = []
    var refs: [ByteRef] = []
    var integers: [Int64] = []
    var reals: [Double] = []
    var booleans: [Bool] = []
    /// Identifies these values' buffers: a batch adds another values' buffers once per identity.
    private(set) var identity = Self.newIdentity()
    /// The buffer `appendBytes` copies into.
    private var ownBuffer: Int?
    /// The values whose buffers were added last, and where they start in `buffers`.
    private var linked: (identity: Int, base: Int)?

    private static let identities = Atomic<Int>(0)
    private static func newIdentity() -> Int { Self.identities.add(1, ordering: .relaxed).newValue }

    init(kind: Kind) {
        self.kind = kind
    }

    init(for type: PhysicalType) throws(ParquetError) {
        switch type {
        case .byteArray, .fixedLenByteArray: self.kind = .bytes
        case .int32, .int64: self.kind = .integers
        case .float, .double: self.kind = .reals
        case .boolean: self.kind = .booleans
        case .int96: throw ParquetError("INT96 columns (legacy timestamps) are not supported")
        }
    }

    var count: Int {
        switch self.kind {
        case .bytes: self.refs.count
        case .integers: self.integers.count
        case .reals: self.reals.count
        case .booleans: self.booleans.count
        }
    }

    mutating func removeAll() {
        self.buffers.removeAll()
        self.refs.removeAll(keepingCapacity: true)
        self.integers.removeAll(keepingCapacity: true)
        self.reals.removeAll(keepingCapacity: true)
        self.booleans.removeAll(keepingCapacity: true)
        self.ownBuffer = nil
        self.linked = nil
        self.identity = Self.newIdentity()
    }

    /// Copies `bytes` in as one more value.
    mutating func appendBytes(_ bytes: ArraySlice<UInt8>) {
        let own: Int
        if let existing = self.ownBuffer {
            own = existing
        } else {
            own = self.buffers.count
            self.buffers.append([])
            self.ownBuffer = own
        }
        let start = self.buffers[own].count
        self.buffers[own].append(contentsOf: bytes)
        self.refs.append(ByteRef(buffer: own, range: start..<start + bytes.count))
    }

    /// Uses `buffer` as one of the buffers; returns its index.
    mutating func adopt(_ buffer: [UInt8]) -> Int {
        self.buffers.append(buffer)
        return self.buffers.count - 1
    }

    /// Appends value `i` of `other` (same kind); byte arrays by reference to `other`'s buffers.
    mutating func append(_ i: Int, of other: ColumnValues) {
        switch self.kind {
        case .bytes:
            let base: Int
            if let linked = self.linked, linked.identity == other.identity {
                base = linked.base
            } else {
                base = self.buffers.count
                self.buffers.append(contentsOf: other.buffers)
                self.linked = (other.identity, base)
            }
            let ref = other.refs[i]
            self.refs.append(ByteRef(buffer: base + ref.buffer, range: ref.range))
        case .integers: self.integers.append(other.integers[i])
        case .reals: self.reals.append(other.reals[i])
        case .booleans: self.booleans.append(other.booleans[i])
        }
    }

    func bytes(_ i: Int) -> ArraySlice<UInt8> {
        let ref = self.refs[i]
        return self.buffers[ref.buffer][ref.range]
    }
}

/// Decodes one page's value section into ``ColumnValues``.
struct ValueDecoder {
    let type: PhysicalType
    let typeLength: Int

    /// Decodes `count` values encoded with `encoding` from `bytes[start...]`.
    func decode(
        _ bytes: [UInt8], from start: Int, count: Int, encoding: Int32, dictionary: ColumnValues?, into values: inout ColumnValues
    ) throws(ParquetError) {
        switch encoding {
        case Encoding.plain:
            try self.decodePlain(bytes, from: start, count: count, into: &values)
        case Encoding.plainDictionary, Encoding.rleDictionary:
            guard let dictionary else { throw ParquetError("a dictionary-encoded page without a dictionary page") }
            guard start < bytes.count || count == 0 else { throw ParquetError("a dictionary-encoded page has no index bit width") }
            guard count > 0 else { return }
            let width = Int(bytes[start])
            guard width <= 32 else { throw ParquetError("dictionary index bit width \(width) is over 32") }
            var indices: [UInt32] = []
            try RLEHybrid.decode(bytes, from: start + 1, to: bytes.count, bitWidth: width, count: count, into: &indices)
            for index in indices {
                guard Int(index) < dictionary.count else { throw ParquetError("dictionary index \(index) is outside the dictionary (\(dictionary.count) values)") }
                values.append(Int(index), of: dictionary)
            }
        case Encoding.rle:
            // Booleans (data pages v2): a 4-byte length, then 1-bit RLE/bit-packed values.
            guard self.type == .boolean else { throw ParquetError("RLE values on a \(self.type) column") }
            guard count > 0 else { return }
            guard start + 4 <= bytes.count else { throw ParquetError("a page ends inside its RLE values") }
            let length = Int(Self.littleEndian32(bytes, start))
            guard length <= bytes.count - start - 4 else { throw ParquetError("a page's RLE values run past it") }
            var bits: [UInt32] = []
            try RLEHybrid.decode(bytes, from: start + 4, to: start + 4 + length, bitWidth: 1, count: count, into: &bits)
            values.booleans.append(contentsOf: bits.map { $0 == 1 })
        case Encoding.deltaBinaryPacked:
            guard self.type == .int32 || self.type == .int64 else { throw ParquetError("DELTA_BINARY_PACKED on a \(self.type) column") }
            var decoded: [Int64] = []
            _ = try DeltaBinaryPacked.decode(bytes, from: start, into: &decoded)
            guard decoded.count >= count else { throw ParquetError("a page has \(decoded.count) values, its header says \(count)") }
            values.integers.append(contentsOf: decoded.prefix(count))
        case Encoding.deltaLengthByteArray:
            guard self.type == .byteArray else { throw ParquetError("DELTA_LENGTH_BYTE_ARRAY on a \(self.type) column") }
            var lengths: [Int64] = []
            var at = try DeltaBinaryPacked.decode(bytes, from: start, into: &lengths)
            guard lengths.count >= count else { throw ParquetError("a page has \(lengths.count) lengths, its header says \(count)") }
            for length in lengths.prefix(count) {
                guard length >= 0, length <= Int64(bytes.count - at) else { throw ParquetError("a byte array runs past the end of its page") }
                values.appendBytes(bytes[at..<at + Int(length)])
                at += Int(length)
            }
        case Encoding.deltaByteArray:
            guard self.type == .byteArray || self.type == .fixedLenByteArray else { throw ParquetError("DELTA_BYTE_ARRAY on a \(self.type) column") }
            var prefixes: [Int64] = []
            var suffixes: [Int64] = []
            var at = try DeltaBinaryPacked.decode(bytes, from: start, into: &prefixes)
            at = try DeltaBinaryPacked.decode(bytes, from: at, into: &suffixes)
            guard prefixes.count >= count, suffixes.count >= count else {
                throw ParquetError("a page has fewer prefix or suffix lengths than its header's \(count) values")
            }
            var previous: [UInt8] = []
            for i in 0..<count {
                let prefix = prefixes[i]
                let suffix = suffixes[i]
                guard prefix >= 0, prefix <= Int64(previous.count), suffix >= 0, suffix <= Int64(bytes.count - at) else {
                    throw ParquetError("a DELTA_BYTE_ARRAY value's prefix or suffix runs out of bounds")
                }
                var value = Array(previous.prefix(Int(prefix)))
                value.append(contentsOf: bytes[at..<at + Int(suffix)])
                at += Int(suffix)
                values.appendBytes(value[...])
                previous = value
            }
        default:
            throw ParquetError("\(Encoding.name(encoding)) values are not supported")
        }
    }

    /// PLAIN values; byte arrays keep `bytes` as their buffer.
    func decodePlain(_ bytes: [UInt8], from start: Int, count: Int, into values: inout ColumnValues) throws(ParquetError) {
        var at = start
        func need(_ n: Int) throws(ParquetError) {
            guard n >= 0, n <= bytes.count - at else { throw ParquetError("a page's values run past its end") }
        }
        switch self.type {
        case .byteArray:
            let buffer = values.adopt(bytes)
            values.refs.reserveCapacity(values.refs.count + count)
            for _ in 0..<count {
                try need(4)
                let length = Int(Self.littleEndian32(bytes, at))
                at += 4
                try need(length)
                values.refs.append(ColumnValues.ByteRef(buffer: buffer, range: at..<at + length))
                at += length
            }
        case .fixedLenByteArray:
            try need(self.typeLength * count)
            let buffer = values.adopt(bytes)
            for _ in 0..<count {
                values.refs.append(ColumnValues.ByteRef(buffer: buffer, range: at..<at + self.typeLength))
                at += self.typeLength
            }
        case .int32:
            try need(4 * count)
            for i in 0..<count { values.integers.append(Int64(Int32(bitPattern: Self.littleEndian32(bytes, at + 4 * i)))) }
        case .int64:
            try need(8 * count)
            for i in 0..<count { values.integers.append(Int64(bitPattern: Self.littleEndian64(bytes, at + 8 * i))) }
        case .float:
            try need(4 * count)
            for i in 0..<count { values.reals.append(Double(Float(bitPattern: Self.littleEndian32(bytes, at + 4 * i)))) }
        case .double:
            try need(8 * count)
            for i in 0..<count { values.reals.append(Double(bitPattern: Self.littleEndian64(bytes, at + 8 * i))) }
        case .boolean:
            try need((count + 7) / 8)
            for i in 0..<count { values.booleans.append(bytes[at + i / 8] >> (i % 8) & 1 == 1) }
        case .int96:
            throw ParquetError("INT96 columns (legacy timestamps) are not supported")
        }
    }

    static func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func littleEndian64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(littleEndian32(bytes, at)) | UInt64(littleEndian32(bytes, at + 4)) << 32
    }
}
