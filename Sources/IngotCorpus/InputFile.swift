#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngotCore

/// A read-only file descriptor with positioned reads; closed when released.
final class InputFile {
    let path: String
    private let fd: Int32

    init(path: String) throws(IngotError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw IngotError(.io, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
    }

    deinit {
        close(self.fd)
    }

    /// Reads up to `count` bytes at `offset`, appending them to `buffer`; returns how many were
    /// read (0 at end of file).
    func read(at offset: Int, count: Int, appendingTo buffer: inout [UInt8]) throws(IngotError) -> Int {
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var total = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while total < count {
                let n = pread(self.fd, raw.baseAddress! + old + total, count - total, off_t(offset + total))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                total += n
            }
        }
        buffer.removeLast(count - total)
        if failure != 0 {
            throw IngotError(.io, "cannot read '\(self.path)': \(String(cString: strerror(failure)))")
        }
        return total
    }
}
