/// A page's header (`PageHeader` in `parquet.thrift`): its kind, sizes, and the encodings of its
/// levels and values.
struct PageHeader {
    enum Kind: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

    var kind: Kind
    var uncompressedSize: Int
    var compressedSize: Int
    /// Entries (levels) in a data page, values in a dictionary page.
    var numValues = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    /// Data page v2: the level sections' lengths, uncompressed, before the values.
    var definitionLevelsLength = 0
    var repetitionLevelsLength = 0
    var isCompressed = true

    init(_ reader: inout CompactReader) throws(ParquetError) {
        var kind: Kind?
        var uncompressedSize: Int?
        var compressedSize: Int?
        var header = PageHeader(kind: .dataPage, uncompressedSize: 0, compressedSize: 0)
        try reader.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, .i32): kind = try r.enumeration(Kind.self, "page type")
            case (2, .i32): uncompressedSize = try r.count(type)
            case (3, .i32): compressedSize = try r.count(type)
            case (5, .structure):
                try r.readStruct { r, id, type throws(ParquetError) in
                    switch (id, type) {
                    case (1, .i32): header.numValues = try r.count(type)
                    case (2, .i32): header.encoding = try r.i32()
                    case (3, .i32): header.definitionLevelEncoding = try r.i32()
                    case (4, .i32): header.repetitionLevelEncoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (7, .structure):
                try r.readStruct { r, id, type throws(ParquetError) in
                    switch (id, type) {
                    case (1, .i32): header.numValues = try r.count(type)
                    case (2, .i32): header.encoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (8, .structure):
                try r.readStruct { r, id, type throws(ParquetError) in
                    switch (id, type) {
                    case (1, .i32): header.numValues = try r.count(type)
                    case (4, .i32): header.encoding = try r.i32()
                    case (5, .i32): header.definitionLevelsLength = try r.count(type)
                    case (6, .i32): header.repetitionLevelsLength = try r.count(type)
                    case (7, .boolTrue), (7, .boolFalse): header.isCompressed = CompactReader.bool(type)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard let kind, let uncompressedSize, let compressedSize else { throw ParquetError("a page header lacks its type or sizes") }
        header.kind = kind
        header.uncompressedSize = uncompressedSize
        header.compressedSize = compressedSize
        self = header
    }

    private init(kind: Kind, uncompressedSize: Int, compressedSize: Int) {
        self.kind = kind
        self.uncompressedSize = uncompressedSize
        self.compressedSize = compressedSize
    }
}

/// Value and level encodings (`Encoding` in `parquet.thrift`).
enum Encoding {
    static let plain: Int32 = 0
    static let plainDictionary: Int32 = 2
    static let rle: Int32 = 3
    static let bitPacked: Int32 = 4
    static let deltaBinaryPacked: Int32 = 5
    static let deltaLengthByteArray: Int32 = 6
    static let deltaByteArray: Int32 = 7
    static let rleDictionary: Int32 = 8
    static let byteStreamSplit: Int32 = 9

    static func name(_ encoding: Int32) -> String {
        switch encoding {
        case 0: "PLAIN"
        case 2: "PLAIN_DICTIONARY"
        case 3: "RLE"
        case 4: "BIT_PACKED"
        case 5: "DELTA_BINARY_PACKED"
        case 6: "DELTA_LENGTH_BYTE_ARRAY"
        case 7: "DELTA_BYTE_ARRAY"
        case 8: "RLE_DICTIONARY"
        case 9: "BYTE_STREAM_SPLIT"
        default: "encoding \(encoding)"
        }
    }
}
