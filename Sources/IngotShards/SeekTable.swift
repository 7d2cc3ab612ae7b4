/// The zstd seekable format's seek table: a skippable frame listing every frame's compressed and
/// decompressed size, appended after the data frames.
///
/// Stock `zstd -d` skips it (it is a skippable frame), so a shard still decompresses to the plain
/// row-major array; readers use it to find frame `i` without scanning.
///
///     Skippable_Magic (LE u32 0x184D2A5E) | Frame_Size (LE u32)
///     per frame: Compressed_Size (LE u32) | Decompressed_Size (LE u32)
///     Number_Of_Frames (LE u32) | Descriptor (u8, 0: no per-frame checksums) | Seekable_Magic (LE u32 0x8F92EAB1)
///
/// Per-frame checksums are left to the zstd frames themselves (each carries XXH64 of its content).
public enum SeekTable {
    public static let skippableMagic: UInt32 = 0x184D_2A5E
    public static let seekableMagic: UInt32 = 0x8F92_EAB1
    public static let footerSize = 9

    public struct Entry: Sendable, Equatable {
        public var compressedSize: UInt32
        public var decompressedSize: UInt32

        public init(compressedSize: UInt32, decompressedSize: UInt32) {
            self.compressedSize = compressedSize
            self.decompressedSize = decompressedSize
        }
    }

    /// The bytes of the seek table frame for `entries`.
    public static func encode(_ entries: [Entry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + entries.count * 8 + footerSize)
        append(skippableMagic, to: &bytes)
        append(UInt32(entries.count * 8 + footerSize), to: &bytes)
        for entry in entries {
            append(entry.compressedSize, to: &bytes)
            append(entry.decompressedSize, to: &bytes)
        }
        append(UInt32(entries.count), to: &bytes)
        bytes.append(0)
        append(seekableMagic, to: &bytes)
        return bytes
    }

    /// Parses the seek table at the end of `file`; throws a description of the defect.
    public static func decode(fileTail bytes: [UInt8]) throws(SeekTableError) -> [Entry] {
        guard bytes.count >= 8 + footerSize else { throw SeekTableError("file too short for a seek table") }
        let footer = bytes.count - footerSize
        guard load(bytes, footer + 5) == seekableMagic else { throw SeekTableError("no seekable-format footer (bad magic)") }
        guard bytes[footer + 4] & 0x80 == 0 else { throw SeekTableError("per-frame checksums are not expected") }
        let count = Int(load(bytes, footer))
        let tableSize = 8 + count * 8 + footerSize
        guard tableSize <= bytes.count else { throw SeekTableError("seek table claims \(count) frames, more than the file holds") }
        let start = bytes.count - tableSize
        guard load(bytes, start) == skippableMagic, Int(load(bytes, start + 4)) == count * 8 + footerSize else {
            throw SeekTableError("seek table frame header is corrupt")
        }
        return (0..<count).map { i in
            Entry(compressedSize: load(bytes, start + 8 + i * 8), decompressedSize: load(bytes, start + 12 + i * 8))
        }
    }

    /// Size in bytes of the seek table for `frames` frames.
    public static func size(frames: Int) -> Int { 8 + frames * 8 + footerSize }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8 & 0xFF))
        bytes.append(UInt8(value >> 16 & 0xFF))
        bytes.append(UInt8(value >> 24))
    }

    private static func load(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}

public struct SeekTableError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
