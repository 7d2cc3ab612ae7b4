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
/// Used by one task at a time.
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
    private let lock: OutputLock
    private var open: [ShardKey: OpenShard] = [:]
    /// Shards of unfinished partitions that are complete on disk, by partition.
    private var closed: [Int: [DatasetIndex.Shard]] = [:]
    /// Files of resumed partitions already moved into the directory by an interrupted publish.
    private var alreadyPublished: Set<String> = []

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
    public init(directory: String, schema: ShardSchema, identity: RunIdentity, mode: Mode) throws(IngotError) {
        self.directory = directory
        self.schema = schema
        self.workspace = Workspace(directory: directory)
        self.lock = try OutputLock(directory: directory)
        do {
            try self.prepare(identity: identity, mode: mode)
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
        let previous = try? JSONDecoder().decode(RunIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: self.workspace.runFile)))
        let interrupted = try previous != nil || !self.stagedNames().isEmpty
        try FileSystem.removeFile(self.workspace.published(".\(DatasetIndex.fileName).tmp"))

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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try Self.writeAtomically(Array(try encoder.encode(identity)), to: self.workspace.runFile, directory: self.workspace.root)
    }

    private func stagedNames() throws -> [String] {
        guard FileSystem.exists(self.workspace.staging) else { return [] }
        return try FileSystem.entries(of: self.workspace.staging).compactMap(\.name)
    }

    private func clearStaging() throws {
        for name in try self.stagedNames() { try FileSystem.removeFile(self.workspace.staged(name)) }
        try FileSystem.createDirectory(self.workspace.staging)
    }

    /// Keeps the finished partitions whose files are all intact; removes everything else.
    private func loadRecords(hasIndex: Bool) throws {
        var keep = Set<String>()
        for name in try self.stagedNames() where name.hasPrefix("part-") && name.hasSuffix(".done.json") {
            guard let record = try? JSONDecoder().decode(PartitionRecord.self, from: Data(contentsOf: URL(fileURLWithPath: self.workspace.staged(name)))),
                name == Workspace.recordName(partition: record.partition)
            else { continue }
            var intact = true
            var moved: [String] = []
            for file in record.shards.flatMap({ $0.files.values }) {
                if let status = try? FileSystem.status(of: self.workspace.staged(file.file)), status.size == file.bytes {
                    continue
                }
                // An interrupted publish may have moved it already (the old index is gone then).
                let published = self.workspace.published(file.file)
                if !hasIndex, let status = try? FileSystem.status(of: published), status.size == file.bytes,
                    let data = FileManager.default.contents(atPath: published), SHA256.hex(data) == file.sha256
                {
                    moved.append(file.file)
                } else {
                    intact = false
                }
            }
            guard intact else { continue }
            self.completedPartitions[record.partition] = record
            self.alreadyPublished.formUnion(moved)
            keep.insert(name)
            for file in record.shards.flatMap({ $0.files.values }) { keep.insert(file.file) }
        }
        for name in try self.stagedNames() where !keep.contains(name) {
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

    /// Appends a frame of partition `partition`.
    public func write(_ frame: ShardFrame, partition: Int) throws(IngotError) {
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
        guard !self.open.keys.contains(where: { $0.partition == partition }) else {
            throw IngotError(.internalInconsistency, "partition \(partition) finished with a shard still open")
        }
        let shards = (self.closed.removeValue(forKey: partition) ?? []).sorted { $0.name < $1.name }
        let record = PartitionRecord(partition: partition, shards: shards, statistics: statistics, bytesRead: bytesRead)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            try Self.writeAtomically(
                Array(try encoder.encode(record)), to: self.workspace.staged(Workspace.recordName(partition: partition)),
                directory: self.workspace.staging)
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
    public func finish(partitions: Int, provenance: DatasetIndex.Provenance) throws(IngotError) -> DatasetIndex {
        guard self.open.isEmpty else {
            throw IngotError(.internalInconsistency, "\(self.open.count) shards were never closed")
        }
        let missing = (0..<partitions).filter { self.completedPartitions[$0] == nil }
        guard missing.isEmpty else {
            throw IngotError(.internalInconsistency, "partitions \(missing.prefix(10).map(String.init).joined(separator: ", ")) never finished")
        }
        let records = (0..<partitions).map { self.completedPartitions[$0]! }
        var statistics = RunStatistics()
        var bytesRead: [String: Int] = [:]
        for record in records {
            statistics.merge(record.statistics)
            bytesRead.merge(record.bytesRead, uniquingKeysWith: +)
        }
        let shards = records.flatMap(\.shards)
        var columns: [String: DatasetIndex.Column] = [:]
        for column in self.schema.columns { columns[column.name] = .init(dtype: self.schema.dtype(of: column)) }
        var index = DatasetIndex(
            format: DatasetIndex.formatName,
            formatVersion: DatasetIndex.currentVersion,
            seqLen: self.schema.seqLen,
            columns: columns,
            compression: .init(
                codec: self.schema.compression.zstdLevel == nil ? "none" : "zstd",
                level: self.schema.compression.zstdLevel.map(Int.init),
                rowsPerFrame: self.schema.rowsPerFrame),
            vocabularySize: provenance.vocabularySize,
            specialTokens: provenance.specialTokens,
            tokenizer: provenance.tokenizer,
            pipeline: provenance.pipeline,
            inputs: provenance.inputs.map { .init(path: $0.path, bytes: $0.bytes, bytesRead: bytesRead[$0.path] ?? 0) },
            shards: shards,
            totalRows: shards.reduce(0) { $0 + $1.rows },
            statistics: statistics,
            indexSHA256: DatasetIndex.zeroChecksum)
        // The same checks every reader makes: never publish what a reader would refuse.
        do {
            try index.validate()
        } catch {
            throw IngotError(.internalInconsistency, "the assembled index is invalid: \(error.message)")
        }
        let bytes = try index.encoded()
        do {
            try self.publish(shards: shards, index: bytes)
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot publish the dataset in '\(self.directory)'", cause: error)
        }
        return index
    }

    private func publish(shards: [DatasetIndex.Shard], index: [UInt8]) throws {
        let names = Set(shards.flatMap { $0.files.values.map(\.file) })
        // The old dataset stops being one before any of its files changes.
        if FileSystem.exists(self.workspace.published(DatasetIndex.fileName)) {
            try FileSystem.removeFile(self.workspace.published(DatasetIndex.fileName))
            try FileSystem.syncDirectory(self.directory)
        }
        for name in try FileSystem.entries(of: self.directory).compactMap(\.name)
        where name.hasPrefix("part-") && !self.alreadyPublished.contains(name) {
            try FileSystem.removeFile(self.workspace.published(name))
        }
        for name in names.sorted() where !self.alreadyPublished.contains(name) {
            try FileSystem.rename(self.workspace.staged(name), to: self.workspace.published(name))
        }
        try FileSystem.syncDirectory(self.directory)
        // A last look: every file the index names is there, at its size.
        for file in shards.flatMap({ $0.files.values }) {
            let size = try FileSystem.status(of: self.workspace.published(file.file)).size
            guard size == file.bytes else {
                throw IngotError(.io, "'\(self.workspace.published(file.file))' has \(size) bytes after publishing, expected \(file.bytes)")
            }
        }
        try Self.writeAtomically(index, to: self.workspace.published(DatasetIndex.fileName), directory: self.directory)
        // The run is over: its workspace goes (the lock file stays, unlocked when we exit).
        try self.clearStaging()
        try FileSystem.removeDirectory(self.workspace.staging)
        try FileSystem.removeFile(self.workspace.runFile)
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
}
