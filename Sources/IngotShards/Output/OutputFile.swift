import IngotCore
import IngotSystem

/// A file being written under a temporary name, published by fsync + rename: readers see either
/// nothing or the complete file, never a prefix. Hashes what it writes as it goes.
///
/// Its data is made durable while it grows: every ``writebackBytes``, writeback starts and so
/// does a data sync on another thread (``OpenFile/startDataSync()``), so that publishing flushes
/// about a megabyte, not the whole file. A write to the file can wait while a data sync runs
/// (up to 2.3 ms here), and the writer runs on one of the cores the workers share: bytes written
/// then wait here instead, up to ``heldBytesLimit``, and go to the file once it is done.
final class OutputFile {
    let temporaryPath: String
    let finalPath: String
    private var file: OpenFile?
    private var published = false
    /// Bytes written, held ones included.
    private(set) var bytesWritten = 0
    private var hasher = SHA256()
    /// Bytes written while a data sync ran, in order, not yet in the file.
    private var held: [[UInt8]] = []
    private var heldBytes = 0
    /// Bytes in the file.
    private var bytesInFile = 0
    /// Where the bytes not yet handed to the kernel's writeback start.
    private var writebackStart = 0
    /// Every this many bytes, writeback starts and so does a data sync: 6 MB fsynced at once
    /// took 10-12 ms here even when written back as they came, a flush costing about 2 ms per
    /// megabyte since the last one; the last megabyte, 3 ms.
    static let writebackBytes = 1 << 20
    /// Past this many held bytes (a disk slower than the run), writes go to the file and wait.
    static let heldBytesLimit = 8 << 20
    private let writebackBytes: Int

    /// - Parameter writebackBytes: how often writeback and a data sync start (tests make it small).
    init(finalPath: String, temporaryPath: String, writebackBytes: Int = OutputFile.writebackBytes) throws(IngotError) {
        do {
            self.file = try OpenFile(temporaryPath, mode: .createOrTruncate)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.writebackBytes = writebackBytes
    }

    deinit {
        // Never published: the temporary file goes with it.
        if !self.published { try? FileSystem.removeFile(self.temporaryPath) }
    }

    func write(_ bytes: [UInt8]) throws(IngotError) {
        bytes.withUnsafeBytes { self.hasher.update($0) }
        self.bytesWritten += bytes.count
        self.held.append(bytes)
        self.heldBytes += bytes.count
        if self.file!.isSyncingData && self.heldBytes < Self.heldBytesLimit { return }
        try self.writeHeldBytes()
    }

    /// Writes the held bytes to the file, and starts writeback and a data sync every
    /// ``writebackBytes`` unless the file is about to be fsynced.
    private func writeHeldBytes(beforeSync: Bool = false) throws(IngotError) {
        do {
            for bytes in self.held { try self.file!.write(bytes) }
        } catch {
            throw IngotError(.io, "\(error)")
        }
        self.bytesInFile += self.heldBytes
        self.held.removeAll(keepingCapacity: true)
        self.heldBytes = 0
        if !beforeSync && self.bytesInFile - self.writebackStart >= self.writebackBytes {
            self.file!.startWriteback(offset: self.writebackStart, count: self.bytesInFile - self.writebackStart)
            self.file!.startDataSync()
            self.writebackStart = self.bytesInFile
        }
    }

    /// Flushes to stable storage and renames into place; returns the SHA-256 of the content.
    func publish() throws(IngotError) -> String {
        do {
            try self.file!.waitForDataSync()
            try self.writeHeldBytes(beforeSync: true)
            try self.file!.sync()
            try self.file!.close()
            self.file = nil
            try FileSystem.rename(self.temporaryPath, to: self.finalPath)
            self.published = true
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "\(error)")
        }
        return self.hasher.finalizeHex()
    }
}
