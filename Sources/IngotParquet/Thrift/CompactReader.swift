/// Reads Thrift's compact protocol, the encoding of Parquet's footer and page headers: structs as
/// (field id delta, type) headers, integers as zigzag varints, lists with a size and element type.
///
/// Every length and count is checked against the bytes left, and nesting is bounded, so a
/// corrupt or hostile footer is an error, never a crash or a huge allocation.
struct CompactReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10,
            map = 11, structure = 12
    }

    private let bytes: [UInt8]
    private(set) var position: Int
    private var depth = 0
    private static let maxDepth = 64

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { self.bytes.count - self.position }

    mutating func byte() throws(ParquetError) -> UInt8 {
        guard self.position < self.bytes.count else { throw ParquetError("truncated metadata") }
        defer { self.position += 1 }
        return self.bytes[self.position]
    }

    mutating func varint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try self.byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw ParquetError("malformed varint in metadata") }
        }
    }

    mutating func i64() throws(ParquetError) -> Int64 {
        let v = try self.varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws(ParquetError) -> Int32 {
        let v = try self.i64()
        guard let narrow = Int32(exactly: v) else { throw ParquetError("32-bit value out of range in metadata") }
        return narrow
    }

    /// An i32 holding a Thrift enum's value; `what` names the enum in the error for an unknown one.
    mutating func enumeration<T: RawRepresentable>(_ type: T.Type, _ what: String) throws(ParquetError) -> T where T.RawValue == Int32 {
        let raw = try self.i32()
        guard let value = T(rawValue: raw) else { throw ParquetError("unknown \(what) \(raw)") }
        return value
    }

    /// An i32 or i64 as an Int that must not be negative (sizes, counts, offsets).
    mutating func count(_ type: FieldType) throws(ParquetError) -> Int {
        let v = type == .i64 ? try self.i64() : Int64(try self.i32())
        guard v >= 0, let n = Int(exactly: v) else { throw ParquetError("negative size or count in metadata") }
        return n
    }

    mutating func binary() throws(ParquetError) -> ArraySlice<UInt8> {
        let length = try self.varint()
        guard length <= UInt64(self.remaining) else { throw ParquetError("truncated metadata (a string runs past the end)") }
        defer { self.position += Int(length) }
        return self.bytes[self.position..<self.position + Int(length)]
    }

    mutating func string() throws(ParquetError) -> String {
        String(decoding: try self.binary(), as: UTF8.self)
    }

    /// Reads a struct, calling `field` for each field with its id and type; `field` returns
    /// false for fields it does not read, which are skipped.
    mutating func readStruct(_ field: (inout CompactReader, Int16, FieldType) throws(ParquetError) -> Bool) throws(ParquetError) {
        self.depth += 1
        defer { self.depth -= 1 }
        guard self.depth <= Self.maxDepth else { throw ParquetError("metadata nested too deeply") }
        var last: Int16 = 0
        while true {
            let header = try self.byte()
            guard let type = FieldType(rawValue: header & 0x0F) else { throw ParquetError("unknown Thrift type \(header & 0x0F) in metadata") }
            if type == .stop { return }
            let delta = Int16(header >> 4)
            let id: Int16
            if delta == 0 {
                let raw = try self.i64()
                guard let narrow = Int16(exactly: raw) else { throw ParquetError("malformed field id in metadata") }
                id = narrow
            } else {
                id = last &+ delta
            }
            last = id
            if !(try field(&self, id, type)) { try self.skip(type) }
        }
    }

    /// A list's element type and size.
    mutating func listHeader() throws(ParquetError) -> (FieldType, Int) {
        let header = try self.byte()
        var size = Int(header >> 4)
        if size == 15 {
            let long = try self.varint()
            guard long <= UInt64(self.remaining) else { throw ParquetError("truncated metadata (a list is longer than what is left)") }
            size = Int(long)
        }
        guard let type = FieldType(rawValue: header & 0x0F) else { throw ParquetError("unknown Thrift list element type in metadata") }
        // Every element takes at least one byte, except booleans packed in the header (not in lists).
        guard size <= self.remaining else { throw ParquetError("truncated metadata (a list is longer than what is left)") }
        return (type, size)
    }

    /// Reads a list whose elements `element` reads.
    mutating func readList<T>(_ element: (inout CompactReader, FieldType) throws(ParquetError) -> T) throws(ParquetError) -> [T] {
        let (type, size) = try self.listHeader()
        var items: [T] = []
        items.reserveCapacity(size)
        for _ in 0..<size { items.append(try element(&self, type)) }
        return items
    }

    mutating func skip(_ type: FieldType) throws(ParquetError) {
        switch type {
        case .stop, .boolTrue, .boolFalse: return
        case .byte: _ = try self.byte()
        case .i16, .i32, .i64: _ = try self.varint()
        case .double:
            guard self.remaining >= 8 else { throw ParquetError("truncated metadata") }
            self.position += 8
        case .binary: _ = try self.binary()
        case .list, .set:
            let (element, size) = try self.listHeader()
            self.depth += 1
            defer { self.depth -= 1 }
            guard self.depth <= Self.maxDepth else { throw ParquetError("metadata nested too deeply") }
            for _ in 0..<size {
                // Booleans in lists take a byte each.
                if element == .boolTrue || element == .boolFalse { _ = try self.byte() } else { try self.skip(element) }
            }
        case .map:
            let size = try self.varint()
            guard size > 0 else { return }
            guard size <= UInt64(self.remaining) else { throw ParquetError("truncated metadata (a map is longer than what is left)") }
            let types = try self.byte()
            guard let key = FieldType(rawValue: types >> 4), let value = FieldType(rawValue: types & 0x0F) else {
                throw ParquetError("unknown Thrift map types in metadata")
            }
            for _ in 0..<size {
                try self.skip(key)
                try self.skip(value)
            }
        case .structure:
            try self.readStruct { _, _, _ in false }
        }
    }

    /// A boolean field's value: compact protocol puts it in the field header's type.
    static func bool(_ type: FieldType) -> Bool { type == .boolTrue }
}
