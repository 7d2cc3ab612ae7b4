/// The parts of Parquet's `FileMetaData` (the footer) a reader of rows needs: the schema, and
/// where each row group's column chunks are. Field ids as in `parquet.thrift`.
struct FileMetaData {
    var schema: [SchemaElement]
    var numRows: Int
    var rowGroups: [RowGroup]

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var schema: [SchemaElement] = []
        var numRows = 0
        var rowGroups: [RowGroup] = []
        try reader.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (2, .list): schema = try r.readList { r, _ throws(ParquetError) in try SchemaElement(&r) }
            case (3, .i64): numRows = try r.count(type)
            case (4, .list): rowGroups = try r.readList { r, _ throws(ParquetError) in try RowGroup(&r) }
            default: return false
            }
            return true
        }
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
    }
}

/// One node of the flattened schema tree (depth first; groups say how many children follow).
struct SchemaElement {
    enum Repetition: Int32 { case required = 0, optional = 1, repeated = 2 }

    var name: String
    /// The physical type of a leaf; nil for a group.
    var type: PhysicalType?
    var typeLength: Int?
    var repetition: Repetition
    var numChildren: Int
    /// `converted_type` (legacy annotation): 0 UTF8, 1 MAP, 2 MAP_KEY_VALUE, 3 LIST, ...
    var convertedType: Int32?
    /// The `logicalType` union's member id: 1 STRING, 2 MAP, 3 LIST, ...
    var logicalType: Int16?

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var name = ""
        var type: PhysicalType?
        var typeLength: Int?
        var repetition = Repetition.required
        var numChildren = 0
        var convertedType: Int32?
        var logicalType: Int16?
        try reader.readStruct { r, id, t throws(ParquetError) in
            switch (id, t) {
            case (1, .i32): type = try r.enumeration(PhysicalType.self, "physical type")
            case (2, .i32): typeLength = try r.count(t)
            case (3, .i32): repetition = try r.enumeration(Repetition.self, "repetition")
            case (4, .binary): name = try r.string()
            case (5, .i32): numChildren = try r.count(t)
            case (6, .i32): convertedType = try r.i32()
            case (10, .structure):
                try r.readStruct { r, member, mt throws(ParquetError) in
                    logicalType = member
                    return false
                }
            default: return false
            }
            return true
        }
        self.name = name
        self.type = type
        self.typeLength = typeLength
        self.repetition = repetition
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.logicalType = logicalType
    }

    var isList: Bool { self.convertedType == 3 || self.logicalType == 3 }
    var isMap: Bool { self.convertedType == 1 || self.convertedType == 2 || self.logicalType == 2 }
}

enum PhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

struct RowGroup {
    var columns: [ColumnChunk]
    var numRows: Int

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var columns: [ColumnChunk] = []
        var numRows = 0
        try reader.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, .list): columns = try r.readList { r, _ throws(ParquetError) in try ColumnChunk(&r) }
            case (3, .i64): numRows = try r.count(type)
            default: return false
            }
            return true
        }
        self.columns = columns
        self.numRows = numRows
    }

    /// The file bytes its column chunks span.
    var byteRange: Range<Int>? {
        let ranges = self.columns.compactMap(\.metaData?.byteRange)
        guard let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() else { return nil }
        return low..<high
    }
}

struct ColumnChunk {
    var filePath: String?
    var metaData: ColumnMetaData?

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var filePath: String?
        var metaData: ColumnMetaData?
        try reader.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, .binary): filePath = try r.string()
            case (3, .structure): metaData = try ColumnMetaData(&r)
            default: return false
            }
            return true
        }
        self.filePath = filePath
        self.metaData = metaData
    }
}

enum Codec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

struct ColumnMetaData {
    var type: PhysicalType
    var path: [String]
    var codec: Codec
    var numValues: Int
    var totalCompressedSize: Int
    var dataPageOffset: Int
    var dictionaryPageOffset: Int?

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var type: PhysicalType?
        var path: [String] = []
        var codec = Codec.uncompressed
        var numValues = 0
        var totalCompressedSize = 0
        var dataPageOffset: Int?
        var dictionaryPageOffset: Int?
        try reader.readStruct { r, id, t throws(ParquetError) in
            switch (id, t) {
            case (1, .i32): type = try r.enumeration(PhysicalType.self, "physical type")
            case (3, .list): path = try r.readList { r, _ throws(ParquetError) in try r.string() }
            case (4, .i32): codec = try r.enumeration(Codec.self, "compression codec")
            case (5, .i64): numValues = try r.count(t)
            case (7, .i64): totalCompressedSize = try r.count(t)
            case (9, .i64): dataPageOffset = try r.count(t)
            case (11, .i64): dictionaryPageOffset = try r.count(t)
            default: return false
            }
            return true
        }
        guard let type, let dataPageOffset else { throw ParquetError("a column chunk lacks its type or data page offset") }
        self.type = type
        self.path = path
        self.codec = codec
        self.numValues = numValues
        self.totalCompressedSize = totalCompressedSize
        self.dataPageOffset = dataPageOffset
        // Some writers store 0 for "no dictionary page".
        self.dictionaryPageOffset = dictionaryPageOffset.flatMap { $0 > 0 && $0 < dataPageOffset ? $0 : nil }
    }

    /// Where the chunk's pages are: from its first page, `total_compressed_size` bytes.
    var byteRange: Range<Int> {
        let start = self.dictionaryPageOffset ?? self.dataPageOffset
        return start..<(start + self.totalCompressedSize)
    }
}
