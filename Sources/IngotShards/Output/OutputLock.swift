public import IngotCore
import IngotSystem

/// A lock on an output directory, held for a whole run: a second run into the same directory
/// fails at once, naming the holder, instead of interleaving its files with the first.
///
/// The lock is `flock(2)` on `DIR/.ingot/lock`, so the kernel releases it when the holder exits,
/// however it exits (kill -9 included); the file itself stays, and says who held it last. A
/// whole run (and `pipeline finalize`) holds it exclusively. The tasks of a split run
/// (``TaskAssignment``) share it, so they run side by side while excluding a whole run, and each
/// also holds its own task's lock exclusively, so the same task cannot run twice at once. On a
/// shared filesystem this needs `flock` to work across machines (NFSv4, GPFS; Lustre mounted
/// with `-o flock`).
public final class OutputLock {
    public enum Access: Sendable {
        /// The only holder; writes its name into the file.
        case exclusive
        /// One of many holders (the tasks of a split run); excludes an exclusive holder.
        case shared
    }

    public let path: String
    private var file: OpenFile?

    /// Takes the lock (creating the directory and the lock file as needed).
    ///
    /// - Parameter name: the lock's name within the workspace (`lock` for a whole run).
    public init(directory: String, name: String = "lock", access: Access = .exclusive) throws(IngotError) {
        let workspace = Workspace(directory: directory)
        self.path = workspace.path(name)
        do {
            try FileSystem.createDirectory(workspace.root)
        } catch {
            throw IngotError(.io, "cannot prepare the output directory", cause: error)
        }
        // Another run may have replaced the file between our open and our lock: lock the file
        // the path names now, or try again.
        for _ in 0..<8 {
            let file: OpenFile
            do {
                file = try OpenFile(self.path, mode: .createOrOpen)
                let locked = access == .exclusive ? try file.tryLockExclusively() : try file.tryLockShared()
                guard locked else {
                    throw IngotError(.configuration, "output directory '\(directory)' is in use by \(Self.holder(of: self.path, name: name, workspace: workspace)); wait for it or choose another --output")
                }
                guard (try FileSystem.status(of: self.path)).inode == (try file.status()).inode else { continue }
                if access == .exclusive {
                    let holder = "pid \(FileSystem.processID) on \(FileSystem.hostName) since \(FileSystem.utcTimestamp)\n"
                    try file.replaceContents(with: Array(holder.utf8))
                }
            } catch let error as IngotError {
                throw error
            } catch {
                throw IngotError(.io, "cannot lock the output directory", cause: error)
            }
            self.file = file
            return
        }
        throw IngotError(.io, "cannot lock '\(self.path)': it keeps being replaced")
    }

    /// Who holds the lock, in words, for a refusal.
    private static func holder(of path: String, name: String, workspace: Workspace) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if name != "lock" {
            return "another run of the same task (\(text.isEmpty ? "holder unknown" : text))"
        }
        if FileSystem.exists(workspace.tasks) {
            return "the tasks of a split run (\(workspace.tasks)) or another run\(text.isEmpty ? "" : " (last: \(text))")"
        }
        return "another run (\(text.isEmpty ? "holder unknown" : text))"
    }

    /// Releases the lock now (it is released on deinit and on exit anyway).
    public func release() {
        try? self.file?.close()
        self.file = nil
    }

    deinit {
        self.release()
    }
}
