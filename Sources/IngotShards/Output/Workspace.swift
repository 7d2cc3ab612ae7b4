import Foundation
import IngotCore
import IngotSystem

/// Where a run keeps its work beside the dataset it writes, and how that work becomes the
/// dataset:
///
///     DIR/index.json, DIR/part-*         the published dataset
///     DIR/.ingot/lock                    held by the running process (shared by a split run's tasks)
///     DIR/.ingot/run.json                what a whole run is (a resumed run must match it)
///     DIR/.ingot/tasks/task-IIIII.json   what each task of a split run is (finalize checks they agree)
///     DIR/.ingot/task-IIIII.lock         held by the running task
///     DIR/.ingot/staging/                shards, then part-PPPPP.done.json per finished partition
struct Workspace {
    let directory: String

    var root: String { "\(self.directory)/.ingot" }
    var staging: String { "\(self.root)/staging" }
    var runFile: String { "\(self.root)/run.json" }
    var tasks: String { "\(self.root)/tasks" }

    func path(_ name: String) -> String { "\(self.root)/\(name)" }
    func staged(_ name: String) -> String { "\(self.staging)/\(name)" }
    func published(_ name: String) -> String { "\(self.directory)/\(name)" }
    func taskFile(_ index: Int) -> String { "\(self.tasks)/task-\(pad(index, 5)).json" }

    static func recordName(partition: Int) -> String { "part-\(pad(partition, 5)).done.json" }
    static func taskLockName(_ index: Int) -> String { "task-\(pad(index, 5)).lock" }

    /// The partition a staged file belongs to: `part-PPPPP-SSSS.*`, `part-PPPPP.done.json`, or
    /// either under a temporary `.NAME.tmp` name.
    static func partition(ofStaged name: String) -> Int? {
        var rest = Substring(name)
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        guard rest.hasPrefix("part-") else { return nil }
        let digits = rest.dropFirst(5).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    func stagedNames() throws -> [String] {
        guard FileSystem.exists(self.staging) else { return [] }
        return try FileSystem.entries(of: self.staging).compactMap(\.name)
    }

    /// Where a finished partition's file is now.
    enum Location {
        /// In the staging directory, at its recorded size.
        case staged
        /// Already moved into the directory by an interrupted publish (possible only when the
        /// directory has no index), at its size and checksum.
        case published
    }

    /// - Parameter verifyingChecksum: check a staged file's SHA-256 too, not only its size (for
    ///   files another machine wrote, or that a rerun task keeps).
    func locate(_ file: DatasetIndex.File, hasIndex: Bool, verifyingChecksum: Bool = false) -> Location? {
        let staged = self.staged(file.file)
        if let status = try? FileSystem.status(of: staged), status.size == file.bytes,
            !verifyingChecksum || Self.checksum(of: staged) == file.sha256
        {
            return .staged
        }
        let published = self.published(file.file)
        if !hasIndex, let status = try? FileSystem.status(of: published), status.size == file.bytes,
            Self.checksum(of: published) == file.sha256
        {
            return .published
        }
        return nil
    }

    /// SHA-256 of a file's bytes, memory-mapped rather than copied; nil when it cannot be read.
    static func checksum(of path: String) -> String? {
        (try? Self.contents(of: path)).map { SHA256.hex($0) }
    }

    /// A file's bytes, memory-mapped (shard files are hashed once, not copied).
    static func contents(of path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    }

    /// A JSON record of the workspace (run, task or partition record); nil when it is missing or
    /// not such a record.
    static func record<T: Decodable>(_ type: T.Type, at path: String) -> T? {
        (try? Self.contents(of: path)).flatMap { try? JSONDecoder().decode(T.self, from: $0) }
    }

    /// Publishes a dataset whose shards are all staged (or already moved, `alreadyPublished`):
    /// the old dataset stops being one (its index goes) before any of its files changes, the new
    /// shards move in, and `index.json` is written last. Then the workspace is cleared, apart from
    /// the lock file.
    func publish(shards: [DatasetIndex.Shard], index: [UInt8], alreadyPublished: Set<String>) throws {
        let names = Set(shards.flatMap { $0.files.values.map(\.file) })
        if FileSystem.exists(self.published(DatasetIndex.fileName)) {
            try FileSystem.removeFile(self.published(DatasetIndex.fileName))
            try FileSystem.syncDirectory(self.directory)
        }
        for name in try FileSystem.entries(of: self.directory).compactMap(\.name)
        where name.hasPrefix("part-") && !alreadyPublished.contains(name) {
            try FileSystem.removeFile(self.published(name))
        }
        for name in names.sorted() where !alreadyPublished.contains(name) {
            try FileSystem.rename(self.staged(name), to: self.published(name))
        }
        try FileSystem.syncDirectory(self.directory)
        // A last look: every file the index names is there, at its size.
        for file in shards.flatMap({ $0.files.values }) {
            let size = try FileSystem.status(of: self.published(file.file)).size
            guard size == file.bytes else {
                throw IngotError(.io, "'\(self.published(file.file))' has \(size) bytes after publishing, expected \(file.bytes)")
            }
        }
        try Self.writeAtomically(index, to: self.published(DatasetIndex.fileName), directory: self.directory)
        // The run is over: its workspace goes (the lock files stay, unlocked when we exit).
        for name in try self.stagedNames() { try FileSystem.removeFile(self.staged(name)) }
        if FileSystem.exists(self.staging) { try FileSystem.removeDirectory(self.staging) }
        try FileSystem.removeFile(self.runFile)
        if FileSystem.exists(self.tasks) {
            for name in try FileSystem.entries(of: self.tasks).compactMap(\.name) {
                try FileSystem.removeFile("\(self.tasks)/\(name)")
            }
            try FileSystem.removeDirectory(self.tasks)
        }
        for name in try FileSystem.entries(of: self.root).compactMap(\.name) where name.hasPrefix("task-") && name.hasSuffix(".lock") {
            try FileSystem.removeFile(self.path(name))
        }
    }

    /// Writes `bytes` to `path` under a temporary name, fsyncs, renames, and fsyncs `directory`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(IngotError) {
        let name = (path as NSString).lastPathComponent
        let file = try OutputFile(finalPath: path, temporaryPath: "\(directory)/.\(name).tmp")
        try file.write(bytes)
        _ = try file.publish()
        do {
            try FileSystem.syncDirectory(directory)
        } catch {
            throw IngotError(.io, "cannot sync '\(directory)'", cause: error)
        }
    }

    /// Writes `value` as sorted-key JSON, atomically.
    static func writeJSON(_ value: some Encodable, to path: String, directory: String, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        try Self.writeAtomically(Array(try encoder.encode(value)), to: path, directory: directory)
    }
}

func pad(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
