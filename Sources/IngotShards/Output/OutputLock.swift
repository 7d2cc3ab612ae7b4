import Foundation
public import IngotCore
import IngotSystem

/// An exclusive lock on an output directory, held for a whole run: a second run into the same
/// directory fails at once, naming the holder, instead of interleaving its files with the first.
///
/// The lock is `flock(2)` on `DIR/.ingot/lock`, so the kernel releases it when the holder exits,
/// however it exits (kill -9 included); the file itself stays, and says who held it last.
public final class OutputLock {
    public let path: String
    private var file: OpenFile?

    /// Takes the lock (creating the directory and the lock file as needed).
    ///
    /// - Parameter name: the lock's name within the workspace (`lock` for a whole run).
    public init(directory: String, name: String = "lock") throws(IngotError) {
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
                guard try file.tryLockExclusively() else {
                    let holder = (try? String(contentsOfFile: self.path, encoding: .utf8))?
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    throw IngotError(
                        .configuration,
                        "output directory '\(directory)' is in use by another run (\(holder.map { $0.isEmpty ? "holder unknown" : $0 } ?? "holder unknown")); wait for it or choose another --output")
                }
                guard (try FileSystem.status(of: self.path)).inode == (try file.status()).inode else { continue }
                let holder = "pid \(FileSystem.processID) on \(FileSystem.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
                try file.replaceContents(with: Array(holder.utf8))
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

    /// Releases the lock now (it is released on deinit and on exit anyway).
    public func release() {
        try? self.file?.close()
        self.file = nil
    }

    deinit {
        self.release()
    }
}

/// Where a run keeps its work beside the dataset it writes:
///
///     DIR/index.json, DIR/part-*         the published dataset
///     DIR/.ingot/lock                    held by the running process
///     DIR/.ingot/run.json                what the run is (a resumed run must match it)
///     DIR/.ingot/staging/                this run's shards, then part-PPPPP.done.json per finished partition
struct Workspace {
    let directory: String

    var root: String { "\(self.directory)/.ingot" }
    var staging: String { "\(self.root)/staging" }
    var runFile: String { "\(self.root)/run.json" }

    func path(_ name: String) -> String { "\(self.root)/\(name)" }
    func staged(_ name: String) -> String { "\(self.staging)/\(name)" }
    func published(_ name: String) -> String { "\(self.directory)/\(name)" }

    static func recordName(partition: Int) -> String { "part-\(pad(partition, 5)).done.json" }
}

func pad(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
