import IngotSystem

/// A Parquet file opened for reading rows: its footer parsed, its schema as a tree. Column
/// chunks are read on demand, page by page, with `pread` (see ``RowReader``).
public final class ParquetFile: @unchecked Sendable {
    public let path: String
    let file: OpenFile
    let metadata: FileMetaData
    let schema: SchemaNode

    /// The number of rows in each row group, in file order.
    public var rowGroupRows: [Int] { self.metadata.rowGroups.map(\.numRows) }
    /// The file bytes each row group's column chunks span (nil when a group has no columns).
    public var rowGroupRanges: [Range<Int>?] { self.metadata.rowGroups.map(\.byteRange) }
    /// The top-level columns, in schema order.
    public var columnNames: [String] { self.schema.children.map(\.name) }

    /// The footer's maximum size Ingot reads: larger is taken for corruption.
    static let maxFooterBytes = 256 << 20

    public init(path: String) throws(ParquetError) {
        self.path = path
        do {
            self.file = try OpenFile(path, mode: .read)
        } catch {
            throw ParquetError("\(error)")
        }
        let size: Int
        do {
            size = try self.file.status().size
        } catch {
            throw ParquetError("\(error)")
        }
        guard size >= 12 else { throw ParquetError("too short for a Parquet file (\(size) bytes)") }
        var tail: [UInt8] = []
        let head = try Self.read(self.file, at: 0, count: 4)
        tail = try Self.read(self.file, at: size - 8, count: 8)
        guard head == Array("PAR1".utf8) else { throw ParquetError("not a Parquet file (no PAR1 at its start)") }
        guard Array(tail[4...]) == Array("PAR1".utf8) else {
            throw ParquetError(tail[4...] == Array("PARE".utf8)[...] ? "encrypted Parquet files are not supported" : "truncated or not a Parquet file (no PAR1 at its end)")
        }
        let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLength > 0, footerLength <= size - 12, footerLength <= Self.maxFooterBytes else {
            throw ParquetError("its footer length (\(footerLength) bytes) does not fit the file (\(size) bytes)")
        }
        let footer = try Self.read(self.file, at: size - 8 - footerLength, count: footerLength)
        var reader = CompactReader(footer)
        self.metadata = try FileMetaData(&reader)
        guard !self.metadata.schema.isEmpty else { throw ParquetError("its schema is empty") }
        self.schema = try SchemaNode.tree(self.metadata.schema)
        let leaves = self.schema.leafEnd
        for (g, group) in self.metadata.rowGroups.enumerated() {
            guard group.columns.count == leaves else {
                throw ParquetError("row group \(g) has \(group.columns.count) column chunks, the schema \(leaves) leaves")
            }
            for column in group.columns {
                guard column.filePath == nil else { throw ParquetError("column chunks in other files are not supported") }
                guard let meta = column.metaData else { throw ParquetError("row group \(g) has a column chunk without metadata") }
                guard meta.byteRange.upperBound <= size - 8 - footerLength else {
                    throw ParquetError("row group \(g): column \(meta.path.joined(separator: ".")) runs past the data (the file is truncated?)")
                }
            }
        }
        guard self.metadata.rowGroups.reduce(0, { $0 + $1.numRows }) == self.metadata.numRows else {
            throw ParquetError("its row groups hold \(self.metadata.rowGroups.reduce(0) { $0 + $1.numRows }) rows, its footer says \(self.metadata.numRows)")
        }
    }

    static func read(_ file: OpenFile, at offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        do {
            while bytes.count < count {
                let n = try file.read(at: offset + bytes.count, count: count - bytes.count, appendingTo: &bytes)
                guard n > 0 else { throw ParquetError("the file ends early (it changed, or is truncated)") }
            }
        } catch let error as ParquetError {
            throw error
        } catch {
            throw ParquetError("\(error)")
        }
        return bytes
    }
}
