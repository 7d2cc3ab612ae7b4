import Foundation
public import IngotCore
import IngotCompression

/// Reads a published dataset back: the index, and any shard's rows, checking every checksum on
/// the way. The Swift counterpart of the trainer-side readers, used by tests and tools.
public struct DatasetReader: Sendable {
    public let directory: String
    public let index: DatasetIndex

    /// Opens a dataset: reads its index and checks it (its own checksum, then every value; see
    /// ``DatasetIndex/validate()``). Shard files are checked as they are read.
    public init(directory: String) throws(IngotError) {
        self.directory = directory
        let path = "\(directory)/\(DatasetIndex.fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngotError(.shardFormat, "'\(path)' is missing: not a dataset, or an incomplete one")
        }
        self.index = try DatasetIndex.decode([UInt8](data), path: path)
    }

    /// A reader over `directory` with an index already in hand (tools and fuzzing).
    package init(directory: String, index: DatasetIndex) {
        self.directory = directory
        self.index = index
    }

    /// Every row of shard `shard` (an index into `index.shards`).
    public func rows(ofShard shard: Int) throws(IngotError) -> [Row] {
        let entry = self.index.shards[shard]
        let seqLen = self.index.seqLen
        var columns: [String: [UInt32]] = [:]
        for (name, file) in entry.files {
            let dtype = self.index.columns[name]!.dtype  // validated: every shard has exactly the declared columns
            let raw = try self.readColumn(file, rows: entry.rows, rowBytes: seqLen * dtype.byteWidth)
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

    /// The raw little-endian array of one column file: size and sha256 against the index, the
    /// seek table against the rows (every frame but the last holds `rows_per_frame` rows), and
    /// every frame's checksum and size.
    public func readColumn(_ file: DatasetIndex.File, rows: Int, rowBytes: Int) throws(IngotError) -> [UInt8] {
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
        let perFrame = self.index.compression.rowsPerFrame
        let expected = (0..<entries.count).map { i in min(perFrame, rows - i * perFrame) * rowBytes }
        guard entries.map({ Int($0.decompressedSize) }) == expected, entries.count == file.frames else {
            throw IngotError(.shardFormat, "'\(path)': its frames do not hold \(rows) rows in frames of \(perFrame)")
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
        guard offset == bytes.count - SeekTable.size(frames: entries.count) else {
            throw IngotError(.shardFormat, "'\(path)': the frames hold \(offset) bytes, the data before the seek table is \(bytes.count - SeekTable.size(frames: entries.count))")
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

    /// Reads every file of the dataset and checks everything the format promises, as strictly as
    /// any reader: the index's own checksum and values (checked on opening), sizes and sha256 of
    /// every file, seek tables against the row counts, every frame's checksum and size, every
    /// row's length, segment ids (0 only as trailing or leading padding runs of a row, document
    /// numbers 1, 2, ... in order), token ids inside the vocabulary, loss masks of 0 and 1, and the
    /// row counts. Throws at the first defect, naming the file.
    public func verify() throws(IngotError) -> VerificationReport {
        var report = VerificationReport()
        var total = 0
        for (i, shard) in self.index.shards.enumerated() {
            let rows = try self.rows(ofShard: i)
            guard rows.count == shard.rows else {
                throw IngotError(.shardFormat, "shard \(shard.name) holds \(rows.count) rows, the index says \(shard.rows)")
            }
            for (r, row) in rows.enumerated() {
                if let defect = self.defect(in: row) {
                    throw IngotError(.shardFormat, "shard \(shard.name), row \(r): \(defect)")
                }
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

    /// What is wrong with a row's values, or nil: ids outside the vocabulary, segment ids that
    /// are not documents 1, 2, ... with padding (0) only at one end, a loss mask other than 0/1
    /// or set on padding.
    func defect(in row: Row) -> String? {
        let vocabulary = UInt32(clamping: self.index.vocabularySize)
        if let bad = row.tokens.firstIndex(where: { $0 >= vocabulary }) {
            return "token id \(row.tokens[bad]) at \(bad) is outside the vocabulary (\(vocabulary))"
        }
        let segments = row.segmentIDs
        let first = segments.firstIndex { $0 != 0 } ?? segments.count
        let last = segments.lastIndex { $0 != 0 } ?? -1
        if first < segments.count {
            guard first == 0 || last == segments.count - 1 else { return "padding on both sides of the row" }
            var expected: UInt32 = 1
            for t in first...last {
                let s = segments[t]
                if s == expected { continue }
                guard s == expected + 1 else { return "segment id \(s) at \(t) after document \(expected)" }
                expected = s
            }
            guard segments[first] == 1 else { return "the first document has segment id \(segments[first])" }
        }
        if let mask = row.lossMask {
            for (t, bit) in mask.enumerated() where bit > 1 || (bit == 1 && segments[t] == 0) {
                return "loss mask \(bit) at \(t)\(segments[t] == 0 ? " on padding" : "")"
            }
        }
        return nil
    }
}
