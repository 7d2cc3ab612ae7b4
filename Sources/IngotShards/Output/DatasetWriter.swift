import Foundation
public import IngotCore
import IngotSystem

/// Writes a dataset so that a crash costs minutes, never data, and never leaves anything that
/// looks complete:
///
/// - the output directory is locked for the whole run (``OutputLock``);
/// - shards are written under temporary names in the workspace (`DIR/.ingot/staging/`), fsynced
///   and renamed when complete; when all of a partition's shards are, its completion record
///   (``PartitionRecord``) is written the same way, and the partition is done for good;
/// - `--resume` (``Mode/resume``) keeps the finished partitions of an interrupted run of the same
///   pipeline over the same inputs, and the runner does only the rest: the result is byte for
///   byte the dataset an uninterrupted run writes;
/// - the dataset is published only when every partition is done: an older dataset in the
///   directory (`--overwrite`) stays intact until then; then its index goes, the new shards move
///   in, and `index.json` is written last (temporary name, fsync, rename, directory fsync).
///
/// A task of a split run (``TaskAssignment``) writes only its share of the partitions into the
/// same workspace, beside the other tasks, and publishes nothing: ``DatasetFinalizer`` does, once
/// every partition is done.
///
/// Used by one Swift task at a time.
public final class DatasetWriter {
    /// What to do with what the directory already holds.
    public enum Mode: Sendable, Equatable {
        /// Refuse a directory that holds a dataset or an interrupted run.
        case create
        /// Replace the dataset there once the new one is complete; discard an interrupted run.
        case overwrite
        /// Continue the interrupted run there, keeping its finished partitions.
        case resume
    }

    public let directory: String
    public let schema: ShardSchema
    /// Partitions already finished: by an interrupted run (resume), or by this one.
    public private(set) var completedPartitions: [Int: PartitionRecord] = [:]

    private let workspace: Workspace
    private let fingerprint: String
    /// This process's share of a split run, and what it recorded; nil for a whole run.
    private let task: TaskRecord?
    private let locks: [OutputLock]
    private var open: [ShardKey: OpenShard] = [:]
    /// For frames that reach the writer still raw (the runner compresses them beforehand).
    private let compressor = FrameCompressor()
    /// Shards of unfinished partitions that are complete on disk, by partition.
    private var closed: [Int: [DatasetIndex.Shard]] = [:]
    /// Files of resumed partitions already moved into the directory by an interrupted publish.
    private var alreadyPublished: Set<String> = []
    /// The run, until `run.json` records it (``start()``).
    private var unrecordedRun: RunIdentity?

    private struct OpenShard {
        var files: [OutputFile]
        var frames: [[SeekTable.Entry]]
        var rows = 0
    }

    private struct ShardKey: Hashable, Comparable {
        var partition: Int
        var shard: Int
        static func < (a: ShardKey, b: ShardKey) -> Bool { (a.partition, a.shard) < (b.partition, b.shard) }
    }

    /// Locks and prepares `directory` for the run `identity` describes.
    public convenience init(directory: String, schema: ShardSchema, identity: RunIdentity, mode: Mode) throws(IngotError) {
        try self.init(directory: directory, schema: schema, identity: identity, mode: mode, task: nil)
    }

    /// Locks and prepares `directory` for task `task` of the split run `identity` describes:
    /// keeps the task's finished partitions (running a task again is idempotent), leaves the
    /// other tasks' files alone, and records the task for ``DatasetFinalizer``.
    public convenience init(
        directory: String, schema: ShardSchema, identity: RunIdentity, mode: Mode, task: TaskAssignment,
        provenance: DatasetIndex.Provenance
    ) throws(IngotError) {
        let record = TaskRecord(task: task, run: identity, index: DatasetIndex(schema: schema, provenance: provenance))
        try self.init(directory: directory, schema: schema, identity: identity, mode: mode, task: record)
    }

    private init(directory: String, schema: ShardSchema, identity: RunIdentity, mode: Mode, task: TaskRecord?) throws(IngotError) {
        self.directory = directory
        self.schema = schema
        self.workspace = Workspace(directory: directory)
        self.fingerprint = identity.fingerprint
        self.task = task
        if let task {
            let shared = try OutputLock(directory: directory, access: .shared)
            self.locks = [shared, try OutputLock(directory: directory, name: Workspace.taskLockName(task.task.index))]
        } else {
            self.locks = [try OutputLock(directory: directory)]
        }
        do {
            if let task {
                try self.prepareTask(task, mode: mode)
            } else {
                try self.prepare(identity: identity, mode: mode)
            }
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot prepare the output directory '\(directory)'", cause: error)
        }
    }

    private func prepare(identity: RunIdentity, mode: Mode) throws {
        let names = try FileSystem.entries(of: self.directory).compactMap(\.name)
        let hasIndex = names.contains(DatasetIndex.fileName)
        let datasetFiles = names.filter { $0 == DatasetIndex.fileName || $0.hasPrefix("part-") }
        let previous = Workspace.record(RunIdentity.self, at: self.workspace.runFile)
        let interrupted = try previous != nil || !self.stagedNames().isEmpty
        try FileSystem.removeFile(self.workspace.published(".\(DatasetIndex.fileName).tmp"))

        let hasTasks = FileSystem.exists(self.workspace.tasks)
        if hasTasks && mode != .overwrite {
            throw IngotError(
                .configuration,
                "output directory '\(self.directory)' holds the work of a split run (\(self.workspace.tasks)); run its remaining tasks and `pipeline finalize` it, or pass --overwrite to start over")
        }
        switch mode {
        case .create:
            if !datasetFiles.isEmpty {
                throw IngotError(
                    .configuration,
                    "output directory '\(self.directory)' already holds a dataset (\(datasetFiles.count) files); pass --overwrite to replace it")
            }
            // An interrupted run of this same job can be resumed: say so rather than redo it. One of
            // another job (other inputs, options) could not be; its leftovers go.
            if interrupted && previous == identity {
                let done = (try self.stagedNames()).filter { $0.hasSuffix(".done.json") }.count
                throw IngotError(
                    .configuration,
                    "output directory '\(self.directory)' holds an interrupted run of this job (\(done) of \(identity.partitions.count) partitions finished); pass --resume to continue it, or --overwrite to start over")
            }
            try self.clearStaging()
        case .overwrite:
            try self.clearStaging()
            try self.removeTaskRecords { _ in true }
        case .resume:
            if let previous {
                guard previous == identity else {
                    throw IngotError(
                        .configuration,
                        "cannot resume in '\(self.directory)': the interrupted run was different (\(identity.differences(from: previous).joined(separator: "; "))); run it as it was, or pass --overwrite to start over")
                }
                try self.loadRecords(hasIndex: hasIndex)
            } else if hasIndex {
                throw IngotError(
                    .configuration, "output directory '\(self.directory)' holds a complete dataset and no interrupted run: nothing to resume")
            } else {
                try self.clearStaging()
            }
        }
        // Recorded by `start()`, while the workers start: nothing is staged before.
        self.unrecordedRun = previous == identity ? nil : identity
    }

    /// Records the run in the workspace (`run.json`, fsynced), which a later `--resume` checks
    /// itself against: the one step of preparing the directory that can wait for the first frame.
    /// The runner's writer calls it while the workers start; the first write, finished partition
    /// or publish calls it otherwise.
    public func start() throws(IngotError) {
        guard let identity = self.unrecordedRun else { return }
        do {
            try Workspace.writeJSON(identity, to: self.workspace.runFile, directory: self.workspace.root, pretty: true)
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot record the run in '\(self.workspace.runFile)'", cause: error)
        }
        self.unrecordedRun = nil
    }

    /// Prepares for one task of a split run. The other tasks may be running: only this task's
    /// partitions' files are touched.
    private func prepareTask(_ task: TaskRecord, mode: Mode) throws {
        guard mode != .resume else {
            throw IngotError(.configuration, "a task always keeps its finished partitions: run it again without --resume")
        }
        let names = try FileSystem.entries(of: self.directory).compactMap(\.name)
        let recorded = try self.taskRecords()
        let own = recorded.first { $0.record?.task.index == task.task.index }
        if mode == .create && names.contains(DatasetIndex.fileName) && own == nil {
            throw IngotError(
                .configuration,
                "output directory '\(self.directory)' already holds a dataset; pass --overwrite to replace it (it stays intact until `pipeline finalize` publishes the new one)")
        }
        if FileSystem.exists(self.workspace.runFile) {
            guard mode == .overwrite else {
                throw IngotError(
                    .configuration,
                    "output directory '\(self.directory)' holds an interrupted run that was not split into tasks; --resume it as it was, or pass --overwrite to start over")
            }
            try FileSystem.removeFile(self.workspace.runFile)
        }
        // Tasks of another run (other arguments, another --task-count) must not be mixed with this
        // one's: refuse, or with --overwrite forget them (their partitions are redone by the
        // tasks that own them now).
        let others = recorded.filter { $0.record.map { !$0.isSameRun(as: task) } ?? true }
        if !others.isEmpty {
            guard mode == .overwrite else {
                let first = others[0]
                let what = first.record.map { "\($0.task) ran with \(task.differences(from: $0).joined(separator: "; "))" } ?? "'\(first.path)' is unreadable"
                throw IngotError(
                    .configuration,
                    "output directory '\(self.directory)' holds tasks of a different split run (\(what)); run every task with the same arguments, or pass --overwrite to replace that run")
            }
            let stale = Set(others.map(\.path))
            try self.removeTaskRecords { stale.contains($0) }
        }
        try FileSystem.createDirectory(self.workspace.staging)
        try self.loadRecords(hasIndex: names.contains(DatasetIndex.fileName), keepingRecords: mode != .overwrite) {
            task.task.owns(partition: $0)
        }
        try FileSystem.createDirectory(self.workspace.tasks)
        try Workspace.writeJSON(task, to: self.workspace.taskFile(task.task.index), directory: self.workspace.tasks, pretty: true)
    }

    /// The task records in the workspace, by path (nil for one that cannot be read).
    private func taskRecords() throws -> [(path: String, record: TaskRecord?)] {
        guard FileSystem.exists(self.workspace.tasks) else { return [] }
        return try FileSystem.entries(of: self.workspace.tasks).compactMap(\.name).filter { $0.hasSuffix(".json") }.sorted().map {
            let path = "\(self.workspace.tasks)/\($0)"
            return (path, Workspace.record(TaskRecord.self, at: path))
        }
    }

    private func removeTaskRecords(where remove: (String) -> Bool) throws {
        for (path, _) in try self.taskRecords() where remove(path) { try FileSystem.removeFile(path) }
    }

    private func stagedNames() throws -> [String] {
        try self.workspace.stagedNames()
    }

    private func clearStaging() throws {
        for name in try self.stagedNames() { try FileSystem.removeFile(self.workspace.staged(name)) }
        try FileSystem.createDirectory(self.workspace.staging)
    }

    /// Keeps the finished partitions of this run whose files are all intact; removes everything
    /// else of the partitions `isMine` selects (all of them for a whole run).
    private func loadRecords(hasIndex: Bool, keepingRecords: Bool = true, isMine: (Int) -> Bool = { _ in true }) throws {
        var keep = Set<String>()
        for name in try self.stagedNames() where keepingRecords && name.hasPrefix("part-") && name.hasSuffix(".done.json") {
            guard let record = Workspace.record(PartitionRecord.self, at: self.workspace.staged(name)),
                name == Workspace.recordName(partition: record.partition), record.run == self.fingerprint, isMine(record.partition)
            else { continue }
            var intact = true
            var moved: [String] = []
            for file in record.shards.flatMap({ $0.files.values }) {
                switch self.workspace.locate(file, hasIndex: hasIndex, verifyingChecksum: self.task != nil) {
                case .staged: continue
                // An interrupted publish moved it already (the old index is gone then).
                case .published: moved.append(file.file)
                case nil: intact = false
                }
            }
            guard intact else { continue }
            self.completedPartitions[record.partition] = record
            self.alreadyPublished.formUnion(moved)
            keep.insert(name)
            for file in record.shards.flatMap({ $0.files.values }) { keep.insert(file.file) }
        }
        for name in try self.stagedNames() where !keep.contains(name) && Workspace.partition(ofStaged: name).map(isMine) ?? (self.task == nil) {
            try FileSystem.removeFile(self.workspace.staged(name))
        }
        try FileSystem.createDirectory(self.workspace.staging)
    }

    /// The file name of one column of one shard: `part-PPPPP-SSSS.COLUMN.EXT`.
    public static func fileName(partition: Int, shard: Int, column: ShardColumn, compression: ShardSchema.Compression) -> String {
        "\(shardName(partition: partition, shard: shard)).\(column.name).\(compression.fileExtension)"
    }

    public static func shardName(partition: Int, shard: Int) -> String {
        "part-\(pad(partition, 5))-\(pad(shard, 4))"
    }

    /// Appends a frame of partition `partition`, compressing it first if it is still raw.
    public func write(_ frame: consuming ShardFrame, partition: Int) throws(IngotError) {
        try self.start()
        try self.compressor.compress(&frame)
        guard frame.schema == self.schema else {
            throw IngotError(
                .configuration,
                "a frame's shard layout differs from the dataset's:\n  frame:   \(frame.schema)\n  dataset: \(self.schema)")
        }
        guard self.completedPartitions[partition] == nil else {
            throw IngotError(.internalInconsistency, "partition \(partition) is already complete")
        }
        let key = ShardKey(partition: partition, shard: frame.shard)
        var shard: OpenShard
        if let existing = self.open.removeValue(forKey: key) {
            shard = existing
        } else {
            guard !(self.closed[partition] ?? []).contains(where: { $0.name == Self.shardName(partition: partition, shard: frame.shard) }) else {
                throw IngotError(.internalInconsistency, "shard \(Self.shardName(partition: partition, shard: frame.shard)) written twice")
            }
            var files: [OutputFile] = []
            for column in self.schema.columns {
                let name = Self.fileName(partition: partition, shard: frame.shard, column: column, compression: self.schema.compression)
                files.append(try OutputFile(finalPath: self.workspace.staged(name), temporaryPath: self.workspace.staged(".\(name).tmp")))
            }
            shard = OpenShard(files: files, frames: Array(repeating: [], count: files.count))
        }
        guard frame.columns.count == shard.files.count else {
            throw IngotError(.internalInconsistency, "frame has \(frame.columns.count) columns, schema \(shard.files.count)")
        }
        for (i, data) in frame.columns.enumerated() {
            try shard.files[i].write(data.bytes)
            shard.frames[i].append(SeekTable.Entry(compressedSize: UInt32(data.bytes.count), decompressedSize: UInt32(data.rawByteCount)))
        }
        shard.rows += frame.rows
        if frame.closesShard {
            try self.close(shard, key: key)
        } else {
            self.open[key] = shard
        }
    }

    private func close(_ shard: OpenShard, key: ShardKey) throws(IngotError) {
        var files: [String: DatasetIndex.File] = [:]
        for (i, column) in self.schema.columns.enumerated() {
            let file = shard.files[i]
            var frames: Int?
            if self.schema.compression.zstdLevel != nil {
                try file.write(SeekTable.encode(shard.frames[i]))
                frames = shard.frames[i].count
            }
            let sha = try file.publish()
            files[column.name] = DatasetIndex.File(
                file: (file.finalPath as NSString).lastPathComponent, bytes: file.bytesWritten, sha256: sha, frames: frames)
        }
        self.closed[key.partition, default: []].append(
            DatasetIndex.Shard(name: Self.shardName(partition: key.partition, shard: key.shard), partition: key.partition, rows: shard.rows, files: files))
    }

    /// Marks partition `partition` finished: its shards must all be closed. Writes its completion
    /// record atomically; from then on the partition survives a crash.
    public func finishPartition(_ partition: Int, statistics: RunStatistics, bytesRead: [String: Int]) throws(IngotError) {
        try self.start()
        guard !self.open.keys.contains(where: { $0.partition == partition }) else {
            throw IngotError(.internalInconsistency, "partition \(partition) finished with a shard still open")
        }
        let shards = (self.closed.removeValue(forKey: partition) ?? []).sorted { $0.name < $1.name }
        let record = PartitionRecord(run: self.fingerprint, partition: partition, shards: shards, statistics: statistics, bytesRead: bytesRead)
        do {
            try Workspace.writeJSON(record, to: self.workspace.staged(Workspace.recordName(partition: partition)), directory: self.workspace.staging)
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot record partition \(partition) as finished", cause: error)
        }
        self.completedPartitions[partition] = record
    }

    /// Publishes the dataset once all `partitions` are finished: assembles and checks the index,
    /// replaces whatever dataset the directory held, writes `index.json` last, and clears the
    /// workspace. Returns the index.
    ///
    /// A task of a split run publishes nothing: it checks that its own partitions are finished
    /// and returns an index of its share alone, for its summary (``DatasetFinalizer`` publishes).
    public func finish(partitions: Int, provenance: DatasetIndex.Provenance) throws(IngotError) -> DatasetIndex {
        try self.start()
        guard self.open.isEmpty else {
            throw IngotError(.internalInconsistency, "\(self.open.count) shards were never closed")
        }
        let mine = (0..<partitions).filter { self.task?.task.owns(partition: $0) ?? true }
        let missing = mine.filter { self.completedPartitions[$0] == nil }
        guard missing.isEmpty else {
            throw IngotError(.internalInconsistency, "partitions \(missing.prefix(10).map(String.init).joined(separator: ", ")) never finished")
        }
        let records = mine.map { self.completedPartitions[$0]! }
        if let task = self.task {
            return task.index.adding(records)
        }
        var index = DatasetIndex(schema: self.schema, provenance: provenance).adding(records)
        // The same checks every reader makes: never publish what a reader would refuse.
        do {
            try index.validate()
        } catch {
            throw IngotError(.internalInconsistency, "the assembled index is invalid: \(error.message)")
        }
        let bytes = try index.encoded()
        do {
            try self.workspace.publish(shards: index.shards, index: bytes, alreadyPublished: self.alreadyPublished)
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot publish the dataset in '\(self.directory)'", cause: error)
        }
        return index
    }
}
