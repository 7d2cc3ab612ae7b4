import Foundation
public import IngotCore
import IngotSystem

/// Appends shard frames to their files and publishes the dataset: each shard's files by fsync and
/// atomic rename when complete, then `index.json` last, also atomically.
///
/// A run that fails or is killed leaves at most temporary files (hidden, `.tmp`) and complete
/// shards, but no `index.json`: it never looks like a finished dataset. Used by one task at a time.
public final class DatasetWriter {
    public let directory: String
    public let schema: ShardSchema

    private struct OpenShard {
        var files: [OutputFile]
        var frames: [[SeekTable.Entry]]
        var rows = 0
    }

    private var open: [ShardKey: OpenShard] = [:]
    private var published: [ShardKey: DatasetIndex.Shard] = [:]

    private struct ShardKey: Hashable, Comparable {
        var partition: Int
        var shard: Int
        static func < (a: ShardKey, b: ShardKey) -> Bool { (a.partition, a.shard) < (b.partition, b.shard) }
    }

    /// Prepares `directory`. A directory that already holds a dataset is refused unless
    /// `overwrite` is set; then its index goes first (so it can never describe a mix of old and
    /// new shards), then its shard files.
    public init(directory: String, schema: ShardSchema, overwrite: Bool) throws(IngotError) {
        self.directory = directory
        self.schema = schema
        let existing: [String]
        do {
            try FileSystem.createDirectory(directory)
            existing = try FileSystem.entries(of: directory).compactMap(\.name)
        } catch {
            throw IngotError(.io, "cannot prepare the output directory", cause: error)
        }
        let datasetFiles = existing.filter { $0 == DatasetIndex.fileName || $0.hasPrefix("part-") }
        if !datasetFiles.isEmpty && !overwrite {
            throw IngotError(
                .configuration, "output directory '\(directory)' already holds a dataset (\(datasetFiles.count) files); pass --overwrite to replace it")
        }
        do {
            if datasetFiles.contains(DatasetIndex.fileName) {
                try FileSystem.removeFile("\(directory)/\(DatasetIndex.fileName)")
                try FileSystem.syncDirectory(directory)
            }
            for name in existing
            where name.hasPrefix("part-") || (name.hasPrefix(".part-") && name.hasSuffix(".tmp")) || name == ".index.json.tmp" {
                try FileSystem.removeFile("\(directory)/\(name)")
            }
        } catch {
            throw IngotError(.io, "cannot clear the output directory", cause: error)
        }
    }

    /// The file name of one column of one shard: `part-PPPPP-SSSS.COLUMN.EXT`.
    public static func fileName(partition: Int, shard: Int, column: ShardColumn, compression: ShardSchema.Compression) -> String {
        "\(shardName(partition: partition, shard: shard)).\(column.name).\(compression.fileExtension)"
    }

    public static func shardName(partition: Int, shard: Int) -> String {
        "part-\(pad(partition, 5))-\(pad(shard, 4))"
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Appends a frame of partition `partition`.
    public func write(_ frame: ShardFrame, partition: Int) throws(IngotError) {
        guard frame.schema == self.schema else {
            throw IngotError(
                .configuration,
                "a frame's shard layout differs from the dataset's:\n  frame:   \(frame.schema)\n  dataset: \(self.schema)")
        }
        let key = ShardKey(partition: partition, shard: frame.shard)
        var shard: OpenShard
        if let existing = self.open.removeValue(forKey: key) {
            shard = existing
        } else {
            guard self.published[key] == nil else {
                throw IngotError(.internalInconsistency, "shard \(Self.shardName(partition: partition, shard: frame.shard)) written twice")
            }
            var files: [OutputFile] = []
            for column in self.schema.columns {
                let name = Self.fileName(partition: partition, shard: frame.shard, column: column, compression: self.schema.compression)
                files.append(try OutputFile(finalPath: "\(self.directory)/\(name)", temporaryPath: "\(self.directory)/.\(name).tmp"))
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
            try self.publish(shard, key: key)
        } else {
            self.open[key] = shard
        }
    }

    private func publish(_ shard: OpenShard, key: ShardKey) throws(IngotError) {
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
        self.published[key] = DatasetIndex.Shard(
            name: Self.shardName(partition: key.partition, shard: key.shard), partition: key.partition, rows: shard.rows, files: files)
    }

    /// Writes `index.json` (temporary name, fsync, rename, directory fsync) and returns it.
    /// Fails if a shard is still open: every partition must have closed its last shard.
    public func finish(statistics: RunStatistics, provenance: DatasetIndex.Provenance) throws(IngotError) -> DatasetIndex {
        guard self.open.isEmpty else {
            throw IngotError(.internalInconsistency, "\(self.open.count) shards were never closed")
        }
        let shards = self.published.keys.sorted().map { self.published[$0]! }
        var columns: [String: DatasetIndex.Column] = [:]
        for column in self.schema.columns { columns[column.name] = .init(dtype: self.schema.dtype(of: column)) }
        let index = DatasetIndex(
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
            inputs: provenance.inputs,
            shards: shards,
            totalRows: shards.reduce(0) { $0 + $1.rows },
            statistics: statistics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(index)
        } catch {
            throw IngotError(.internalInconsistency, "cannot encode the index", cause: error)
        }
        let file = try OutputFile(
            finalPath: "\(self.directory)/\(DatasetIndex.fileName)", temporaryPath: "\(self.directory)/.\(DatasetIndex.fileName).tmp")
        try file.write(Array(data) + [0x0A])
        _ = try file.publish()
        do {
            try FileSystem.syncDirectory(self.directory)
        } catch {
            throw IngotError(.io, "cannot publish the index", cause: error)
        }
        return index
    }
}
