import Foundation
public import IngotCore
import IngotCompression

/// Reads a published dataset back: the index, and any shard's rows, checking every checksum on
/// the way. The Swift counterpart of the trainer-side readers, used by tests and tools.
public struct DatasetReader: Sendable {
    public let directory: String
    public let index: DatasetIndex

    public init(directory: String) throws(IngotError) {
        self.directory = directory
        let path = "\(directory)/\(DatasetIndex.fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngotError(.shardFormat, "'\(path)' is missing: not a dataset, or an incomplete one")
        }
        do {
            self.index = try JSONDecoder().decode(DatasetIndex.self, from: data)
        } catch {
            throw IngotError(.shardFormat, "'\(path)' is not a valid index", cause: error)
        }
        guard self.index.format == DatasetIndex.formatName, self.index.formatVersion == DatasetIndex.currentVersion else {
            throw IngotError(.shardFormat, "'\(path)' has format \(self.index.format) v\(self.index.formatVersion), expected \(DatasetIndex.formatName) v\(DatasetIndex.currentVersion)")
        }
    }

    /// Every row of shard `shard` (an index into `index.shards`).
    public func rows(ofShard shard: Int) throws(IngotError) -> [Row] {
        let entry = self.index.shards[shard]
        let seqLen = self.index.seqLen
        var columns: [String: [UInt32]] = [:]
        for (name, file) in entry.files {
            guard let dtype = self.index.columns[name]?.dtype else {
                throw IngotError(.shardFormat, "shard \(entry.name) has column '\(name)' that the index does not declare")
            }
            let raw = try self.readColumn(file)
            guard raw.count == entry.rows * seqLen * dtype.byteWidth else {
                throw IngotError(.shardFormat, "\(file.file) holds \(raw.count) bytes, expected \(entry.rows) rows x \(seqLen) x \(dtype.byteWidth)")
            }
            columns[name] = Self.widen(raw, dtype)
        }
        guard let tokens = columns["input_ids"], let segments = columns["segment_ids"] else {
            throw IngotError(.shardFormat, "shard \(entry.name) lacks input_ids or segment_ids")
        }
        let mask = columns["loss_mask"]
        var rows: [Row] = []
        rows.reserveCapacity(entry.rows)
        for r in 0..<entry.rows {
            let range = (r * seqLen)..<((r + 1) * seqLen)
            do {
                rows.append(
                    try Row(
                        seqLen: seqLen, tokens: Array(tokens[range]), segmentIDs: Array(segments[range]),
                        lossMask: mask.map { $0[range].map { UInt8($0) } }))
            } catch {
                throw IngotError(.shardFormat, error.description)
            }
        }
        return rows
    }

    /// Every row of the dataset, shard by shard.
    public func allRows() throws(IngotError) -> [Row] {
        var rows: [Row] = []
        for shard in self.index.shards.indices { rows += try self.rows(ofShard: shard) }
        return rows
    }

    /// The raw little-endian array of one column file, checksums verified.
    public func readColumn(_ file: DatasetIndex.File) throws(IngotError) -> [UInt8] {
        let path = "\(self.directory)/\(file.file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngotError(.shardFormat, "'\(path)' is missing")
        }
        let bytes = [UInt8](data)
        guard bytes.count == file.bytes else {
            throw IngotError(.shardFormat, "'\(path)' has \(bytes.count) bytes, the index says \(file.bytes)")
        }
        guard SHA256.hex(bytes) == file.sha256 else {
            throw IngotError(.shardFormat, "'\(path)' does not match its sha256 in the index")
        }
        guard self.index.compression.codec == "zstd" else { return bytes }
        let entries: [SeekTable.Entry]
        do {
            entries = try SeekTable.decode(fileTail: bytes)
        } catch {
            throw IngotError(.shardFormat, "'\(path)': \(error)")
        }
        var output: [UInt8] = []
        var offset = 0
        for (i, entry) in entries.enumerated() {
            let end = offset + Int(entry.compressedSize)
            guard end <= bytes.count - SeekTable.size(frames: entries.count) else {
                throw IngotError(.shardFormat, "'\(path)': frame \(i) runs past the data")
            }
            do {
                let frame = try bytes[offset..<end].withUnsafeBytes { (raw) throws(CompressionError) in
                    try Zstd.decompressFrame(raw, expectedSize: Int(entry.decompressedSize))
                }
                output += frame
            } catch {
                throw IngotError(.shardFormat, "'\(path)': frame \(i) is corrupt", cause: error)
            }
            offset = end
        }
        return output
    }

    private static func widen(_ raw: [UInt8], _ dtype: ShardSchema.DType) -> [UInt32] {
        switch dtype {
        case .uint8: return raw.map(UInt32.init)
        case .uint16: return stride(from: 0, to: raw.count, by: 2).map { UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 }
        case .uint32:
            return stride(from: 0, to: raw.count, by: 4).map {
                UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24
            }
        }
    }
}

extension DatasetReader {
    /// What ``verify()`` checked.
    public struct VerificationReport: Sendable {
        public var shards = 0
        public var files = 0
        public var rows = 0
        public var bytes = 0
    }

    /// Reads every file of the dataset and checks everything the format promises: sizes and
    /// sha256 against the index, seek tables, every frame's checksum and size, every row's length,
    /// and the row counts. Throws at the first defect, naming the file.
    public func verify() throws(IngotError) -> VerificationReport {
        var report = VerificationReport()
        var total = 0
        for (i, shard) in self.index.shards.enumerated() {
            guard Set(shard.files.keys) == Set(self.index.columns.keys) else {
                throw IngotError(.shardFormat, "shard \(shard.name) has columns \(shard.files.keys.sorted()), the index declares \(self.index.columns.keys.sorted())")
            }
            let rows = try self.rows(ofShard: i)
            guard rows.count == shard.rows else {
                throw IngotError(.shardFormat, "shard \(shard.name) holds \(rows.count) rows, the index says \(shard.rows)")
            }
            total += rows.count
            report.shards += 1
            report.files += shard.files.count
            report.bytes += shard.files.values.reduce(0) { $0 + $1.bytes }
        }
        guard total == self.index.totalRows else {
            throw IngotError(.shardFormat, "shards hold \(total) rows, total_rows is \(self.index.totalRows)")
        }
        guard total == self.index.statistics.rows else {
            throw IngotError(.shardFormat, "shards hold \(total) rows, the run statistics say \(self.index.statistics.rows)")
        }
        report.rows = total
        return report
    }
}
