import Foundation
import IngotTestSupport
import Testing

@testable import IngotParquet

/// The encodings against the examples of the Parquet specification, and whole files written by
/// pyarrow (the fuzz seeds, Tests/Fuzz/make_seeds.py) read back row by row. The full matrix of
/// writers and options is python/tests/test_parquet.py, against pyarrow's own reading.
@Suite struct ParquetReaderTests {
    @Test func rleHybridDecodesBitPackedGroupsAndRuns() throws {
        // The specification's example: 0...7 bit-packed with width 3, then a run of ten 5s.
        let bytes: [UInt8] = [0x03, 0x88, 0xC6, 0xFA, 10 << 1, 0x05]
        var values: [UInt32] = []
        try RLEHybrid.decode(bytes, from: 0, to: bytes.count, bitWidth: 3, count: 18, into: &values)
        #expect(values == [0, 1, 2, 3, 4, 5, 6, 7] + Array(repeating: 5, count: 10))
        // Asking for more than the data holds is an error, not a read past the end.
        var more: [UInt32] = []
        #expect(throws: ParquetError.self) { try RLEHybrid.decode(bytes, from: 0, to: bytes.count, bitWidth: 3, count: 19, into: &more) }
    }

    @Test func deltaBinaryPackedDecodesTheSpecificationsExamples() throws {
        // 1, 2, 3, 4, 5: every delta is the minimum, bit width 0.
        var values: [Int64] = []
        let first: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00]
        #expect(try DeltaBinaryPacked.decode(first, from: 0, into: &values) == first.count)
        #expect(values == [1, 2, 3, 4, 5])
        // 7, 5, 3, 1, 2, 3, 4, 5: minimum delta -2, relative deltas 0 0 0 3 3 3 3 in 2 bits.
        values = []
        let second: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0]
        #expect(try DeltaBinaryPacked.decode(second, from: 0, into: &values) == second.count)
        #expect(values == [7, 5, 3, 1, 2, 3, 4, 5])
        values = []
        #expect(throws: ParquetError.self) { _ = try DeltaBinaryPacked.decode(Array(second.dropLast(3)), from: 0, into: &values) }
    }

    static let seeds = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/corpus/parquet")
    static let texts = [
        "The quick brown fox jumps over the lazy dog. It's 2026!",
        "Données: naïve café, 日本語のテキスト, русский текст, 123 456.78",
        "def f(x):\n    return x ** 2  # comment\n\tindented\r\nline",
        "Emoji 😀👍🏽 and zero-width\u{200b}joiner, <s> special </s> <|endoftext|>",
    ]

    static func rows(_ path: String, columns: Set<String>? = nil) throws -> [[String: Any]] {
        let file = try ParquetFile(path: path)
        var reader = try RowReader(file: file, rowGroups: Array(file.rowGroupRows.indices), columns: columns)
        var rows: [[String: Any]] = []
        var line: [UInt8] = []
        while try reader.appendNextRow(to: &line) {
            rows.append(try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any])
            line.removeAll()
        }
        return rows
    }

    /// Every seed (snappy, zstd, gzip, lz4; dictionary, plain, delta encodings; pages v1 and v2;
    /// one or several row groups) holds the same four rows.
    @Test(arguments: ["snappy-dict-v1", "zstd-plain-v2", "gzip-delta", "lz4-delta-length", "none-groups"])
    func pyarrowFilesReadBackRowByRow(_ name: String) throws {
        let rows = try Self.rows(Self.seeds.appendingPathComponent("\(name).parquet").path)
        #expect(rows.count == 4)
        for (i, row) in rows.enumerated() {
            #expect(Array(row.keys).sorted() == ["messages", "n", "ok", "text"])
            #expect(row["n"] as? Int == i)
            #expect(row["ok"] as? Bool == (i % 2 == 0))
            if i == 1 { #expect(row["text"] is NSNull) } else { #expect(row["text"] as? String == Self.texts[i]) }
            if i % 3 == 0 {
                #expect(row["messages"] is NSNull)
            } else {
                let messages = try #require(row["messages"] as? [[String: Any]])
                #expect(messages.count == 2)
                #expect(messages[0]["role"] as? String == "user" && messages[0]["content"] as? String == String(Self.texts[i].prefix(20)))
                #expect(messages[1]["role"] as? String == "assistant" && messages[1]["content"] is NSNull)
            }
        }
        // One column: only it is read, and rows still come from its data.
        let texts = try Self.rows(Self.seeds.appendingPathComponent("\(name).parquet").path, columns: ["n"])
        #expect(texts.map { $0["n"] as? Int } == [0, 1, 2, 3])
    }

    @Test func damagedFilesAreRefusedWithAReason() throws {
        let dir = try TestPaths.makeTemporaryDirectory("parquet-damaged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try Data(contentsOf: Self.seeds.appendingPathComponent("snappy-dict-v1.parquet"))
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "too short"),
            ("not-parquet", Data("PAR1 this is not a parquet file PAR1".utf8), "footer length"),
            ("truncated", good.prefix(good.count / 2), "no PAR1 at its end"),
        ]
        for (name, bytes, reason) in cases {
            let path = dir.appendingPathComponent("\(name).parquet").path
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try Self.rows(path)
            } throws: { error in
                (error as? ParquetError)?.description.contains(reason) == true
            }
        }
    }
}
