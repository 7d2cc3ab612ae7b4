import IngotCompression
import IngotSystem

/// One column chunk of one row group, read page by page: hands out each row's entries
/// (repetition level, definition level, and the value when defined). Only the current page is
/// held in memory, decompressed and decoded.
struct ColumnCursor {
    /// One row's entries of this column.
    struct RowEntries {
        var repetition: [UInt8] = []
        var definition: [UInt8] = []
        /// Value index per entry, or -1 where the entry is null (or an empty list).
        var valueIndex: [Int32] = []
        var values: ColumnValues

        mutating func removeAll() {
            self.repetition.removeAll(keepingCapacity: true)
            self.definition.removeAll(keepingCapacity: true)
            self.valueIndex.removeAll(keepingCapacity: true)
            self.values.removeAll()
        }
    }

    let file: OpenFile
    let leaf: SchemaNode
    let name: String
    private let meta: ColumnMetaData
    private let codec: BlockCodec?
    private let decoder: ValueDecoder
    private var offset: Int
    private let end: Int
    private var dictionary: ColumnValues?
    private var valuesLeft: Int

    // The current page, decoded.
    private var repetition: [UInt32] = []
    private var definition: [UInt32] = []
    private var values: ColumnValues
    private var entry = 0
    private var nextValue = 0

    init(file: OpenFile, leaf: SchemaNode, path: [String], meta: ColumnMetaData) throws(ParquetError) {
        guard let type = leaf.element.type, type == meta.type else {
            throw ParquetError("column \(path.joined(separator: ".")): its chunk's type differs from the schema's")
        }
        self.file = file
        self.leaf = leaf
        self.name = path.joined(separator: ".")
        self.meta = meta
        switch meta.codec {
        case .uncompressed: self.codec = nil
        case .snappy: self.codec = .snappy
        case .gzip: self.codec = .gzip
        case .zstd: self.codec = .zstd
        case .lz4Raw: self.codec = .lz4Raw
        case .lzo, .brotli, .lz4: throw ParquetError("column \(self.name): \(meta.codec) compression is not supported (write with snappy, zstd, gzip or lz4_raw)")
        }
        self.decoder = ValueDecoder(type: type, typeLength: leaf.element.typeLength ?? 0)
        self.values = try ColumnValues(for: type)
        self.offset = meta.byteRange.lowerBound
        self.end = meta.byteRange.upperBound
        self.valuesLeft = meta.numValues
    }

    static let maxPageValues = 1 << 24

    func emptyEntries() -> RowEntries {
        RowEntries(values: ColumnValues(kind: self.values.kind))
    }

    /// Appends the next row's entries to `row`; false when the column chunk has no more rows.
    mutating func nextRow(into row: inout RowEntries) throws(ParquetError) -> Bool {
        var first = true
        while true {
            if self.entry == self.repetition.count {
                guard try self.loadPage() else {
                    if first { return false }
                    return true
                }
                continue
            }
            let rep = self.repetition[self.entry]
            if rep == 0 && !first { return true }
            if first && rep != 0 { throw ParquetError("column \(self.name): a row starts with repetition level \(rep)") }
            first = false
            let def = self.definition[self.entry]
            row.repetition.append(UInt8(rep))
            row.definition.append(UInt8(def))
            if Int(def) == self.leaf.definitionLevel {
                guard self.nextValue < self.values.count else { throw ParquetError("column \(self.name): a page has fewer values than defined entries") }
                row.valueIndex.append(Int32(row.values.count))
                row.values.append(self.nextValue, of: self.values)
                self.nextValue += 1
            } else {
                row.valueIndex.append(-1)
            }
            self.entry += 1
            if self.leaf.repetitionLevel == 0 { return true }
        }
    }

    /// Adds the next row's value of a top-level column that is neither nested nor repeated to
    /// column `c` of `batch`, straight from the page: the fast path of flat columns. False when
    /// the column chunk has no more rows.
    mutating func addNextTopLevelValue(to batch: inout RowBatch, column c: Int) throws(ParquetError) -> Bool {
        while self.entry == self.repetition.count {
            guard try self.loadPage() else { return false }
        }
        let definition = self.definition[self.entry]
        self.entry += 1
        guard Int(definition) == self.leaf.definitionLevel else {
            batch.addFlat(c, from: self.values, nil)
            return true
        }
        guard self.nextValue < self.values.count else { throw ParquetError("column \(self.name): a page has fewer values than defined entries") }
        batch.addFlat(c, from: self.values, self.nextValue)
        self.nextValue += 1
        return true
    }


    /// Reads and decodes the next data page (after any dictionary page); false at the chunk's end.
    private mutating func loadPage() throws(ParquetError) -> Bool {
        while self.offset < self.end && self.valuesLeft > 0 {
            let (header, headerLength) = try self.readHeader()
            let start = self.offset + headerLength
            guard header.compressedSize <= self.end - start else { throw ParquetError("column \(self.name): a page runs past its column chunk") }
            let raw = try ParquetFile.read(self.file, at: start, count: header.compressedSize)
            self.offset = start + header.compressedSize
            // Levels cost 8 bytes per entry decoded: a page claiming more than a sane page holds is
            // corrupt (writers cut pages at about 1 MB and 20,000 rows).
            guard header.numValues <= Self.maxPageValues else {
                throw ParquetError("column \(self.name): a page claims \(header.numValues) values (at most \(Self.maxPageValues) are read)")
            }
            switch header.kind {
            case .indexPage:
                continue
            case .dictionaryPage:
                guard header.encoding == Encoding.plain || header.encoding == Encoding.plainDictionary else {
                    throw ParquetError("column \(self.name): dictionary page in \(Encoding.name(header.encoding))")
                }
                let page = try self.decompress(raw, size: header.uncompressedSize)
                var dictionary = try ColumnValues(for: self.meta.type)
                try self.decoder.decodePlain(page, from: 0, count: header.numValues, into: &dictionary)
                self.dictionary = dictionary
            case .dataPage:
                guard header.numValues <= self.valuesLeft else { throw ParquetError("column \(self.name): its pages hold more values than its metadata says") }
                let page = try self.decompress(raw, size: header.uncompressedSize)
                var at = 0
                try self.readLevels(page, &at, header: header)
                try self.decodeValues(page, from: at, header: header)
                return true
            case .dataPageV2:
                guard header.numValues <= self.valuesLeft else { throw ParquetError("column \(self.name): its pages hold more values than its metadata says") }
                let levelBytes = header.repetitionLevelsLength + header.definitionLevelsLength
                guard levelBytes <= raw.count else { throw ParquetError("column \(self.name): a page's levels run past it") }
                try self.readLevelsV2(raw, header: header)
                let values = Array(raw[levelBytes...])
                let page = header.isCompressed ? try self.decompress(values, size: header.uncompressedSize - levelBytes) : values
                try self.decodeValues(page, from: 0, header: header)
                return true
            }
        }
        if self.valuesLeft > 0 {
            throw ParquetError("column \(self.name): the chunk ends \(self.valuesLeft) values short of its metadata's count")
        }
        return false
    }

    private mutating func readHeader() throws(ParquetError) -> (PageHeader, Int) {
        // Headers are small, but may carry statistics: read more until one parses.
        var want = min(1 << 12, self.end - self.offset)
        while true {
            let bytes = try ParquetFile.read(self.file, at: self.offset, count: want)
            var reader = CompactReader(bytes)
            do {
                let header = try PageHeader(&reader)
                return (header, reader.position)
            } catch {
                guard want < self.end - self.offset else { throw ParquetError("column \(self.name): \(error.description) (page header)") }
                want = min(want * 4, self.end - self.offset)
            }
        }
    }

    private func decompress(_ raw: [UInt8], size: Int) throws(ParquetError) -> [UInt8] {
        guard let codec = self.codec else {
            guard raw.count == size else { throw ParquetError("column \(self.name): an uncompressed page has \(raw.count) bytes, its header says \(size)") }
            return raw
        }
        guard size >= 0, size <= 1 << 30 else { throw ParquetError("column \(self.name): a page claims \(size) bytes") }
        let result = raw.withUnsafeBytes { input in Result { () throws(CompressionError) in try codec.decompress(input, expectedSize: size) } }
        switch result {
        case .success(let page): return page
        case .failure(let error): throw ParquetError("column \(self.name): \(error.message)")
        }
    }

    private static func bitWidth(_ maxLevel: Int) -> Int {
        maxLevel == 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount
    }

    /// Data page v1: each level section is a 4-byte length then RLE/bit-packed levels.
    private mutating func readLevels(_ page: [UInt8], _ at: inout Int, header: PageHeader) throws(ParquetError) {
        let count = header.numValues
        func section(_ maxLevel: Int, encoding: Int32, into levels: inout [UInt32]) throws(ParquetError) {
            levels.removeAll(keepingCapacity: true)
            guard maxLevel > 0 else {
                levels.append(contentsOf: repeatElement(0, count: count))
                return
            }
            guard encoding == Encoding.rle else { throw ParquetError("column \(self.name): \(Encoding.name(encoding)) levels are not supported") }
            guard at + 4 <= page.count else { throw ParquetError("column \(self.name): a page ends inside its levels") }
            let length = Int(ValueDecoder.littleEndian32(page, at))
            at += 4
            guard length <= page.count - at else { throw ParquetError("column \(self.name): a page's levels run past it") }
            try RLEHybrid.decode(page, from: at, to: at + length, bitWidth: Self.bitWidth(maxLevel), count: count, into: &levels)
            at += length
        }
        try section(self.leaf.repetitionLevel, encoding: header.repetitionLevelEncoding, into: &self.repetition)
        try section(self.leaf.definitionLevel, encoding: header.definitionLevelEncoding, into: &self.definition)
    }

    /// Data page v2: the level sections come first, uncompressed, with their lengths in the header.
    private mutating func readLevelsV2(_ raw: [UInt8], header: PageHeader) throws(ParquetError) {
        let count = header.numValues
        let repEnd = header.repetitionLevelsLength
        self.repetition.removeAll(keepingCapacity: true)
        self.definition.removeAll(keepingCapacity: true)
        if self.leaf.repetitionLevel > 0 {
            try RLEHybrid.decode(raw, from: 0, to: repEnd, bitWidth: Self.bitWidth(self.leaf.repetitionLevel), count: count, into: &self.repetition)
        } else {
            self.repetition.append(contentsOf: repeatElement(0, count: count))
        }
        if self.leaf.definitionLevel > 0 {
            try RLEHybrid.decode(
                raw, from: repEnd, to: repEnd + header.definitionLevelsLength, bitWidth: Self.bitWidth(self.leaf.definitionLevel), count: count,
                into: &self.definition)
        } else {
            self.definition.append(contentsOf: repeatElement(0, count: count))
        }
    }

    private mutating func decodeValues(_ page: [UInt8], from start: Int, header: PageHeader) throws(ParquetError) {
        let maxDefinition = UInt32(self.leaf.definitionLevel)
        var defined = 0
        for level in self.definition {
            guard level <= maxDefinition else { throw ParquetError("column \(self.name): definition level \(level) is over the schema's \(maxDefinition)") }
            if level == maxDefinition { defined += 1 }
        }
        for level in self.repetition where level > UInt32(self.leaf.repetitionLevel) {
            throw ParquetError("column \(self.name): repetition level \(level) is over the schema's \(self.leaf.repetitionLevel)")
        }
        self.values.removeAll()
        try self.decoder.decode(page, from: start, count: defined, encoding: header.encoding, dictionary: self.dictionary, into: &self.values)
        guard self.values.count == defined else { throw ParquetError("column \(self.name): a page decodes to \(self.values.count) values for \(defined) defined entries") }
        self.entry = 0
        self.nextValue = 0
        self.valuesLeft -= header.numValues
    }
}
