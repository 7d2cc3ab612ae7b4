#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Operations on paths, each retrying on EINTR and throwing ``SystemError``.
public enum FileSystem {
    /// The status of the file `path` names, following symbolic links (the target's size, not
    /// the link's). The corresponding C function is `stat`.
    public static func status(of path: String) throws(SystemError) -> FileStatus {
        var s = stat()
        _ = try retryingOnInterrupt("stat", path: path) { stat(path, &s) }
        return FileStatus(s)
    }

    /// Whether `path` exists (following links).
    public static func exists(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0
    }

    /// Renames `source` to `destination`, atomically replacing it. The corresponding C function is `rename`.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        _ = try retryingOnInterrupt("rename to '\(destination)'", path: source) { Glibc_rename(source, destination) }
    }

    /// Removes a file; a file that is already gone is not an error. The corresponding C function is `unlink`.
    public static func removeFile(_ path: String) throws(SystemError) {
        do {
            _ = try retryingOnInterrupt("remove", path: path) { unlink(path) }
        } catch where error.isNotFound {
            return
        }
    }

    /// Removes an empty directory. The corresponding C function is `rmdir`.
    public static func removeDirectory(_ path: String) throws(SystemError) {
        _ = try retryingOnInterrupt("remove directory", path: path) { rmdir(path) }
    }

    /// Creates `path` and any missing parents (mode 0755).
    public static func createDirectory(_ path: String) throws(SystemError) {
        if (try? Self.status(of: path))?.kind == .directory { return }
        let parent = Self.parent(of: path)
        if !parent.isEmpty && parent != path { try Self.createDirectory(parent) }
        do {
            _ = try retryingOnInterrupt("create directory", path: path) { mkdir(path, 0o755) }
        } catch where error.code == EEXIST && (try? Self.status(of: path))?.kind == .directory {
            return
        }
    }

    /// Flushes a directory, so that renames and creations inside it survive a crash.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let directory = try OpenFile(path, mode: .directory)
        try directory.sync()
    }

    /// One entry of a directory listing.
    public struct DirectoryEntry: Sendable, Hashable {
        /// The name's bytes as the file system stores them (not necessarily UTF-8).
        public var nameBytes: [UInt8]
        /// The name, when its bytes are valid UTF-8.
        public var name: String? { String(validating: self.nameBytes, as: UTF8.self) }
    }

    /// The entries of a directory, without `.` and `..`, in no particular order. The
    /// corresponding C functions are `opendir` and `readdir`.
    public static func entries(of path: String) throws(SystemError) -> [DirectoryEntry] {
        guard let directory = opendir(path) else { throw SystemError(operation: "list", path: path, code: errno) }
        defer { closedir(directory) }
        var entries: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError(operation: "list", path: path, code: errno) }
                return entries
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            entries.append(DirectoryEntry(nameBytes: name))
        }
    }

    /// Paths matching a shell pattern, sorted by the C library. The corresponding C function is `glob`.
    public static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc_glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let cString = result.gl_pathv[i] { paths.append(String(cString: cString)) }
        }
        return paths
    }

    /// The directory part of `path` ("" for a bare name).
    public static func parent(of path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == 0x2F { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: 0x2F) else { return "" }
        return slash == 0 ? "/" : String(decoding: bytes[..<slash], as: UTF8.self)
    }

    /// The process id, for lock files and temporary names.
    public static var processID: Int32 { getpid() }

    /// The machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The current time in UTC as ISO 8601 (`2026-11-30T10:41:14Z`), from the C library: no
    /// time-zone database to load (Foundation's formatter read three zoneinfo files at start-up).
    public static var utcTimestamp: String {
        var now = time(nil)
        var parts = tm()
        guard gmtime_r(&now, &parts) != nil else { return "unknown time" }
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}

@inline(__always) private func Glibc_rename(_ a: String, _ b: String) -> Int32 { rename(a, b) }
@inline(__always) private func Glibc_glob(
    _ pattern: String, _ flags: Int32, _ callback: (@convention(c) (UnsafePointer<CChar>?, Int32) -> Int32)?,
    _ result: UnsafeMutablePointer<glob_t>
) -> Int32 { glob(pattern, flags, callback, result) }
