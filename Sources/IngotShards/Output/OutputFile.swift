import IngotCore
import IngotSystem

/// A file being written under a temporary name, published by fsync + rename: readers see either
/// nothing or the complete file, never a prefix. Hashes what it writes as it goes.
final class OutputFile {
    let temporaryPath: String
    let finalPath: String
    private var file: OpenFile?
    private var published = false
    private(set) var bytesWritten = 0
    private var hasher = SHA256()
    /// Where the bytes not yet handed to the kernel's writeback start.
    private var writebackStart = 0
    /// Every this many bytes, writeback starts and so does a data sync on another thread
    /// (``OpenFile/startDataSync()``), so that publishing (fsync) flushes at most about this
    /// much: the disk works while the run does.
    static let writebackBytes = 1 << 20

    init(finalPath: String, temporaryPath: String) throws(IngotError) {
        do {
            self.file = try OpenFile(temporaryPath, mode: .createOrTruncate)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
    }

    deinit {
        // Never published: the temporary file goes with it.
        if !self.published { try? FileSystem.removeFile(self.temporaryPath) }
    }

    func write(_ bytes: [UInt8]) throws(IngotError) {
        do {
            try self.file!.write(bytes)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        bytes.withUnsafeBytes { self.hasher.update($0) }
        self.bytesWritten += bytes.count
        if self.bytesWritten - self.writebackStart >= Self.writebackBytes {
            self.file!.startWriteback(offset: self.writebackStart, count: self.bytesWritten - self.writebackStart)
            self.file!.startDataSync()
            self.writebackStart = self.bytesWritten
        }
    }

    /// Flushes to stable storage and renames into place; returns the SHA-256 of the content.
    func publish() throws(IngotError) -> String {
        do {
            try self.file!.sync()
            try self.file!.close()
            self.file = nil
            try FileSystem.rename(self.temporaryPath, to: self.finalPath)
            self.published = true
        } catch {
            throw IngotError(.io, "\(error)")
        }
        return self.hasher.finalizeHex()
    }
}
