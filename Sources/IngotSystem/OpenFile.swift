#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if os(Linux)
import CIngotLinux
#endif
import Dispatch
import Synchronization

/// An open file descriptor, closed when the value is released (or by ``close()``).
///
/// Reads are positioned (`pread`), so one reader never disturbs another's offset. Every call
/// retries on EINTR and reports failures as ``SystemError`` naming the path.
public final class OpenFile {
    /// How a file is opened.
    public struct Mode: Sendable, Hashable {
        let flags: Int32
        /// Read only; the file must exist.
        public static let read = Mode(flags: O_RDONLY)
        /// Write only, created if missing (mode 0644), emptied if present.
        public static let createOrTruncate = Mode(flags: O_WRONLY | O_CREAT | O_TRUNC)
        /// Read and write, created if missing, kept if present (lock files).
        public static let createOrOpen = Mode(flags: O_RDWR | O_CREAT)
        /// A directory, for `fsync` after renames inside it.
        public static let directory = Mode(flags: O_RDONLY | O_DIRECTORY)
    }

    public let path: String
    public private(set) var descriptor: Int32
    /// The last data sync started by ``startDataSync()``; waited for before the descriptor closes.
    private var dataSync: BackgroundDataSync?
    /// What a finished data sync met, reported by the next ``sync()``: once an `fsync` has
    /// failed, a later one may succeed on Linux although the data is lost.
    private var dataSyncFailure: SystemError?

    /// Opens `path`. The corresponding C function is `open`.
    public init(_ path: String, mode: Mode) throws(SystemError) {
        self.path = path
        self.descriptor = try retryingOnInterrupt("open", path: path) { open(path, mode.flags | O_CLOEXEC, 0o644) }
    }

    deinit {
        _ = self.dataSync?.wait()
        if self.descriptor >= 0 { _ = systemClose(self.descriptor) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (fewer only at
    /// the end of the file). The corresponding C function is `pread`.
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let n = try retryingOnInterrupt("read", path: self.path) {
                pread(self.descriptor, base + total, buffer.count - total, off_t(offset + total))
            }
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// Reads up to `count` bytes at `offset`, appending them to `bytes`; returns how many.
    @discardableResult
    public func read(at offset: Int, count: Int, appendingTo bytes: inout [UInt8]) throws(SystemError) -> Int {
        let old = bytes.count
        var failure: SystemError?
        var total = 0
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBytes { raw in
            do throws(SystemError) {
                total = try self.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[old..<(old + count)]))
            } catch {
                failure = error
            }
        }
        bytes.removeLast(count - total)
        if let failure { throw failure }
        return total
    }

    /// Writes all of `bytes` at the current offset. The corresponding C function is `write`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var written = 0
        while written < bytes.count {
            written += try retryingOnInterrupt("write", path: self.path) {
                systemWrite(self.descriptor, base + written, bytes.count - written)
            }
        }
    }

    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try self.write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Asks the kernel to start writing `count` bytes from `offset` to storage now, without
    /// waiting: a later ``sync()`` then has little left to write. Only a hint (the final `fsync`
    /// reports errors), so it fails silently; nothing on systems without it. The corresponding
    /// C function is `sync_file_range` with `SYNC_FILE_RANGE_WRITE` (Linux).
    public func startWriteback(offset: Int, count: Int) {
        #if os(Linux)
        _ = CIngotLinux_startWriteback(self.descriptor, Int64(offset), Int64(count))
        #endif
    }

    /// Starts making the data written so far durable on another thread, without waiting, so
    /// that the next ``sync()`` flushes only what was written after. Does nothing while the
    /// last one is still running. ``sync()`` reports its failure; ``close()`` and deinit wait
    /// for it. The corresponding C function is `fdatasync`.
    ///
    /// What a flush costs grows with the bytes written since the last one, even when their
    /// writeback is long done (a virtual disk flushes its host's cache): closing a 6 MB shard
    /// took 11-12 ms here with writeback started every megabyte, against 3 ms when all but the
    /// last megabyte had been flushed already.
    public func startDataSync() {
        if let running = self.dataSync {
            guard running.isFinished else { return }
            self.dataSyncFailure = self.dataSyncFailure ?? running.wait()
        }
        self.dataSync = BackgroundDataSync(descriptor: self.descriptor, path: self.path)
    }

    /// Whether a data sync started by ``startDataSync()`` is still running: a write to the
    /// file now would wait for it.
    public var isSyncingData: Bool {
        self.dataSync.map { !$0.isFinished } ?? false
    }

    /// Flushes the file's data and metadata to stable storage, after any data sync still
    /// running (``startDataSync()``), and reports the first failure of either. The
    /// corresponding C function is `fsync`.
    public func sync() throws(SystemError) {
        try self.waitForDataSync()
        _ = try retryingOnInterrupt("fsync", path: self.path) { fsync(self.descriptor) }
    }

    /// Waits for the data sync still running, if any, and reports the first failure of any
    /// data sync.
    public func waitForDataSync() throws(SystemError) {
        if let running = self.dataSync {
            self.dataSync = nil
            self.dataSyncFailure = self.dataSyncFailure ?? running.wait()
        }
        if let failure = self.dataSyncFailure { throw failure }
    }

    /// The file's status. The corresponding C function is `fstat`.
    public func status() throws(SystemError) -> FileStatus {
        var s = stat()
        _ = try retryingOnInterrupt("stat", path: self.path) { fstat(self.descriptor, &s) }
        return FileStatus(s)
    }

    /// Takes an exclusive advisory lock on the whole file without waiting; returns false when
    /// another open file description holds one. Released when the file is closed, including by
    /// the kernel when the process dies. The corresponding C function is `flock`.
    public func tryLockExclusively() throws(SystemError) -> Bool {
        try self.tryLock(LOCK_EX)
    }

    /// Takes a shared advisory lock on the whole file without waiting: any number of holders
    /// share it, and it excludes an exclusive one. Returns false when an exclusive lock is held.
    public func tryLockShared() throws(SystemError) -> Bool {
        try self.tryLock(LOCK_SH)
    }

    private func tryLock(_ operation: Int32) throws(SystemError) -> Bool {
        while true {
            if flock(self.descriptor, operation | LOCK_NB) == 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK || code == EAGAIN { return false }
            throw SystemError(operation: "lock", path: self.path, code: code)
        }
    }

    /// Empties the file and writes `bytes` at its start (a lock file's holder line).
    public func replaceContents(with bytes: [UInt8]) throws(SystemError) {
        _ = try retryingOnInterrupt("truncate", path: self.path) { ftruncate(self.descriptor, 0) }
        _ = try retryingOnInterrupt("seek", path: self.path) { lseek(self.descriptor, 0, SEEK_SET) }
        try self.write(bytes)
    }

    /// Closes the descriptor now. The corresponding C function is `close`; EINTR is not retried
    /// (the descriptor is released either way on Linux and Darwin).
    public func close() throws(SystemError) {
        guard self.descriptor >= 0 else { return }
        _ = self.dataSync?.wait()
        self.dataSync = nil
        let fd = self.descriptor
        self.descriptor = -1
        if systemClose(fd) != 0 && errno != EINTR {
            throw SystemError(operation: "close", path: self.path, code: errno)
        }
    }
}

/// One `fdatasync` of a descriptor, run on a serial dispatch queue that all files share: the
/// blocking call never holds a thread of Swift's cooperative pool, which has one per core for
/// the workers. The owner (``OpenFile``) keeps the descriptor open until ``wait()`` returns.
private final class BackgroundDataSync: Sendable {
    private static let queue = DispatchQueue(label: "ingot.data-sync")

    private let finished = Atomic<Bool>(false)
    private let failure = Mutex<SystemError?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(descriptor: Int32, path: String) {
        Self.queue.async { [self] in
            do throws(SystemError) {
                _ = try retryingOnInterrupt("fdatasync", path: path) { fdatasync(descriptor) }
            } catch {
                self.failure.withLock { $0 = error }
            }
            self.finished.store(true, ordering: .releasing)
            self.done.signal()
        }
    }

    var isFinished: Bool { self.finished.load(ordering: .acquiring) }

    /// Waits until the sync is done; returns its failure, if any. May be called more than once.
    func wait() -> SystemError? {
        if !self.isFinished {
            self.done.wait()
            self.done.signal()
        }
        return self.failure.withLock { $0 }
    }
}

// The C functions whose names `OpenFile`'s methods shadow, reached from file scope.
@inline(__always) private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
