import Foundation

/// Standard output, written in large blocks: what `encode` and `render` print.
struct BufferedOutput: ~Copyable {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        self.buffer += text.utf8
        self.flushIfFull()
    }

    /// Appends a line built in place (no intermediate buffer).
    mutating func write(_ build: (inout [UInt8]) -> Void) {
        build(&self.buffer)
        self.flushIfFull()
    }

    private mutating func flushIfFull() {
        if self.buffer.count > 1 << 20 {
            FileHandle.standardOutput.write(Data(self.buffer))
            self.buffer.removeAll(keepingCapacity: true)
        }
    }

    deinit { FileHandle.standardOutput.write(Data(self.buffer)) }
}

/// JSON arrays of unsigned integers, written digit by digit without going through `String`.
enum JSONIntegers {
    static func append(_ values: some Collection<some FixedWidthInteger>, to out: inout [UInt8]) {
        // Written straight into room made at the end of `out` (at most 20 digits and ", " per
        // value), then trimmed: no append call per value.
        let start = out.count
        let room = 2 + values.count * 22
        out.append(contentsOf: repeatElement(0, count: room))
        var end = start
        out.withUnsafeMutableBufferPointer { buffer in
            buffer[end] = 0x5B
            end += 1
            var first = true
            for value in values {
                if !first {
                    buffer[end] = 0x2C
                    buffer[end + 1] = 0x20
                    end += 2
                }
                first = false
                var v = UInt64(value)
                var digits = 1
                var rest = v / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                var position = end + digits
                end = position
                repeat {
                    position -= 1
                    buffer[position] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                } while v > 0
            }
            buffer[end] = 0x5D
            end += 1
        }
        out.removeLast(start + room - end)
    }
}
