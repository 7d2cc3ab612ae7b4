/// A reader of the protobuf wire format, enough for SentencePiece's `ModelProto`: varints,
/// 32/64-bit fixed fields and length-delimited fields; unknown fields are skipped, as protobuf
/// requires. Malformed input is an error, never a crash: every length is checked against the
/// bytes that remain.
struct ProtobufReader {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "malformed protobuf at byte \(self.offset): \(self.reason)" }
    }

    enum Value {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64(UInt64)
        case bytes(Range<Int>)
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    private init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// A reader over an embedded message.
    func message(_ range: Range<Int>) -> ProtobufReader { ProtobufReader(self.bytes, range) }

    func data(_ range: Range<Int>) -> [UInt8] { Array(self.bytes[range]) }

    func string(_ range: Range<Int>) -> String { String(decoding: self.bytes[range], as: UTF8.self) }

    private mutating func varint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard self.position < self.end else { throw Malformed(offset: self.position, reason: "truncated varint") }
            guard shift < 64 else { throw Malformed(offset: self.position, reason: "varint longer than 10 bytes") }
            let b = self.bytes[self.position]
            self.position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func fixed(_ count: Int) throws(Malformed) -> UInt64 {
        guard self.end - self.position >= count else { throw Malformed(offset: self.position, reason: "truncated fixed field") }
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(self.bytes[self.position + i]) << (8 * UInt64(i)) }
        self.position += count
        return v
    }

    /// The next (field number, value), or nil at the end of the message.
    mutating func next() throws(Malformed) -> (field: Int, value: Value)? {
        guard self.position < self.end else { return nil }
        let start = self.position
        let key = try self.varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw Malformed(offset: start, reason: "field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try self.varint()))
        case 1: return (field, .fixed64(try self.fixed(8)))
        case 5: return (field, .fixed32(UInt32(try self.fixed(4))))
        case 2:
            let length = try self.varint()
            guard length <= UInt64(self.end - self.position) else {
                throw Malformed(offset: start, reason: "field \(field) runs past the end (\(length) bytes)")
            }
            let range = self.position..<(self.position + Int(length))
            self.position = range.upperBound
            return (field, .bytes(range))
        case let wire:
            throw Malformed(offset: start, reason: "unsupported wire type \(wire) for field \(field)")
        }
    }
}
