#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngotCore

/// A file being written under a temporary name, published by fsync + rename: readers see either
/// nothing or the complete file, never a prefix.
final class OutputFile {
    let temporaryPath: String
    let finalPath: String
    private var fd: Int32
    private(set) var bytesWritten = 0
    private var hasher = SHA256()

    init(finalPath: String, temporaryPath: String) throws(IngotError) {
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IngotError(.io, "cannot create '\(temporaryPath)': \(Self.lastError())") }
        self.fd = fd
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
    }

    deinit {
        if self.fd >= 0 {
            close(self.fd)
            unlink(self.temporaryPath)
        }
    }

    func write(_ bytes: [UInt8]) throws(IngotError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(self.fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
            self.hasher.update(raw)
        }
        if failure != 0 { throw IngotError(.io, "cannot write '\(self.temporaryPath)': \(String(cString: strerror(failure)))") }
        self.bytesWritten += bytes.count
    }

    /// Flushes to stable storage and renames into place; returns the SHA-256 of the content.
    func publish() throws(IngotError) -> String {
        guard fsync(self.fd) == 0 else { throw IngotError(.io, "cannot fsync '\(self.temporaryPath)': \(Self.lastError())") }
        close(self.fd)
        self.fd = -1
        guard rename(self.temporaryPath, self.finalPath) == 0 else {
            throw IngotError(.io, "cannot rename '\(self.temporaryPath)' to '\(self.finalPath)': \(Self.lastError())")
        }
        return self.hasher.finalizeHex()
    }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// Flushes a directory, so the renames inside it survive a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
