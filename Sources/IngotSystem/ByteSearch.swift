#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte searches over raw buffers through the C library's vectorized `memchr`: the line
/// framing of every corpus reader runs on these.
public enum ByteSearch {
    /// The offset of the first `byte` at or after `start`, or nil.
    @inline(__always)
    public static func firstIndex(of byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let base = buffer.baseAddress, start < buffer.count else { return nil }
        guard let hit = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// The offset of the last `byte` before `end`, or nil.
    public static func lastIndex(of byte: UInt8, in buffer: UnsafeRawBufferPointer, before end: Int? = nil) -> Int? {
        var i = (end ?? buffer.count) - 1
        while i >= 0 {
            if buffer[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// How many times `byte` occurs in the first `end` bytes.
    public static func count(of byte: UInt8, in buffer: UnsafeRawBufferPointer, upTo end: Int? = nil) -> Int {
        let end = end ?? buffer.count
        var count = 0
        var i = 0
        while i < end, let hit = Self.firstIndex(of: byte, in: UnsafeRawBufferPointer(rebasing: buffer[..<end]), from: i) {
            count += 1
            i = hit + 1
        }
        return count
    }
}
