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
        out.append(0x5B)
        var first = true
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            for value in values {
                if !first { out.append(0x2C); out.append(0x20) }
                first = false
                var v = UInt64(value)
                var start = digits.count
                repeat {
                    start -= 1
                    digits[start] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                } while v > 0
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
            }
        }
        out.append(0x5D)
    }
}
