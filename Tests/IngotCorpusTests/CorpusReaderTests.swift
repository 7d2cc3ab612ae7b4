import Foundation
import IngotCore
import IngotCorpus
import IngotTestSupport
import Logging
import Testing

@Suite struct CorpusReaderTests {
    static func documents(
        _ inputs: [URL], partitionBytes: Int = 1 << 30, chunkBytes: Int = 1 << 20, text: TextSplitting = .wholeFile,
        stage: ReadCorpus = ReadCorpus(),
        errorPolicy: ErrorPolicy = .stop
    ) throws -> [Document] {
        let files = try CorpusFile.discover(inputs.map(\.path))
        let partitions = try PartitionPlanner(targetBytes: partitionBytes).plan(files)
        var documents: [Document] = []
        for partition in partitions {
            var reader = PartitionReader(partition: partition, options: ReadOptions(chunkBytes: chunkBytes, textSplitting: text))
            var stage = stage
            let context = StageContext(partition: partition.index, errorPolicy: errorPolicy, logger: Logger(label: "test"))
            while let chunk = try reader.next() {
                try stage.process(chunk, context: context) { documents.append($0) }
            }
        }
        return documents
    }

    /// Any partition size and chunk size yields the same documents with the same line numbers.
    @Test func partitionsAndChunksDoNotChangeTheDocuments() throws {
        let reference = try Self.documents([Fixtures.sampleCorpus])
        #expect(reference.count == 410)
        #expect(reference.map(\.location.line) == Array(1...410))
        for (partitionBytes, chunkBytes) in [(100_000, 4096), (333_333, 65536), (2_000_000, 1 << 20), (50_000, 100)] {
            let documents = try Self.documents([Fixtures.sampleCorpus], partitionBytes: partitionBytes, chunkBytes: chunkBytes)
            #expect(documents.map(\.text) == reference.map(\.text))
            #expect(documents.map(\.location.line) == reference.map(\.location.line))
        }
    }

    /// A piece's chunks are about `chunkBytes` until its end nears, then shrink (a quarter of what
    /// is left, not under an eighth of a chunk) so that workers sharing it finish together.
    @Test func chunksTaperAtTheEndOfAPiece() throws {
        let files = try CorpusFile.discover([Fixtures.sampleCorpus.path])
        let partition = try #require(try PartitionPlanner(targetBytes: 1 << 30).plan(files).first)
        let chunkBytes = 128 << 10
        var reader = PartitionReader(partition: partition, options: ReadOptions(chunkBytes: chunkBytes))
        var sizes: [Int] = []
        while let chunk = try reader.next() { sizes.append(chunk.inputBytes) }
        #expect(sizes.reduce(0, +) == files[0].size)
        // (Sizes are the bytes read for each chunk.) Full chunks while more than four are left,
        // then shrinking ones, down to an eighth of a chunk, and the remainder.
        let full = sizes.prefix { $0 == chunkBytes }.count
        #expect(full >= 8 && (files[0].size - full * chunkBytes) <= 4 * chunkBytes, "\(sizes)")
        let tapered = Array(sizes[full..<(sizes.count - 1)])
        #expect(tapered.count >= 4, "\(sizes)")
        #expect(zip(tapered, tapered.dropFirst()).allSatisfy { $0 >= $1 }, "\(sizes)")
        #expect(tapered.allSatisfy { $0 < chunkBytes && $0 >= chunkBytes / 8 }, "\(sizes)")
        #expect(sizes.last! <= chunkBytes / 8, "\(sizes)")
    }

    @Test func partitionPlanDependsOnlyOnTheInput() throws {
        let files = try CorpusFile.discover([Fixtures.sampleCorpus.path])
        let a = try PartitionPlanner(targetBytes: 250_000).plan(files)
        let b = try PartitionPlanner(targetBytes: 250_000).plan(files)
        #expect(a.map { $0.pieces.map(\.range) } == b.map { $0.pieces.map(\.range) })
        #expect(a.count >= 8)
        #expect(a.reduce(0) { $0 + $1.byteCount } == files[0].size)
        for (x, y) in zip(a, a.dropFirst()) { #expect(x.pieces[0].range.upperBound == y.pieces[0].range.lowerBound) }
    }

    @Test func readsCompressedFilesIncludingMultiMemberGzip() throws {
        let dir = try TestPaths.makeTemporaryDirectory("compressed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = (0..<3000).map { Fixtures.jsonLine("document \($0) é 😀", id: $0) }
        let plain = try Fixtures.writeLines(lines, to: "a.jsonl", in: dir)
        let zst = try Fixtures.compress(plain, with: "zstd")
        let gz = try Fixtures.compress(plain, with: "gzip")
        let expected = try Self.documents([plain]).map(\.text)
        let sub = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        for url in [zst, gz] {
            let copy = sub.appendingPathComponent(url.lastPathComponent)
            try FileManager.default.copyItem(at: url, to: copy)
            #expect(try Self.documents([copy], chunkBytes: 7000).map(\.text) == expected)
            try FileManager.default.removeItem(at: copy)
        }
        // Two gzip members back to back, as `cat a.gz b.gz` makes.
        let twice = try Data(contentsOf: gz) + Data(contentsOf: gz)
        let doubled = sub.appendingPathComponent("twice.jsonl.gz")
        try twice.write(to: doubled)
        let docs = try Self.documents([doubled])
        #expect(docs.map(\.text) == expected + expected)
        #expect(docs.last!.location.line == 6000)
    }

    @Test func textFilesAreOneDocumentOrParagraphs() throws {
        let dir = try TestPaths.makeTemporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Fixtures.write(Array("First paragraph\nstill first.\n\n\n  \nSecond one.\n\nThird".utf8), to: "b.txt", in: dir)
        try Fixtures.write(Array("whole file".utf8), to: "a.txt", in: dir)
        let whole = try Self.documents([dir])
        #expect(whole.map { String(decoding: $0.text, as: UTF8.self) } == ["whole file", "First paragraph\nstill first.\n\n\n  \nSecond one.\n\nThird"])
        let paragraphs = try Self.documents([dir], text: .blankLines)
        #expect(paragraphs.map { String(decoding: $0.text, as: UTF8.self) } == ["whole file", "First paragraph\nstill first.", "Second one.", "Third"])
        #expect(paragraphs.map(\.location.line) == [1, 1, 6, 8])
    }

    @Test func discoveryIsSortedAndExpandsGlobs() throws {
        let dir = try TestPaths.makeTemporaryDirectory("discover")
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["b.jsonl", "a.jsonl", "c.txt", "notes.md", ".hidden.jsonl"] { try Fixtures.write(Array("{}".utf8), to: name, in: dir) }
        let files = try CorpusFile.discover([dir.path]).map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(files == ["a.jsonl", "b.jsonl", "c.txt"])
        let globbed = try CorpusFile.discover([dir.path + "/*.jsonl"]).map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(globbed == ["a.jsonl", "b.jsonl"])
        #expect(throws: IngotError.self) { try CorpusFile.discover([dir.path + "/missing.jsonl"]) }
    }

    /// An output directory inside the input is not corpus (its index.json is JSON), and the Hub's
    /// split naming selects files by name or by directory.
    @Test func outputDirectoriesAreSkippedAndSplitsSelected() throws {
        let dir = try TestPaths.makeTemporaryDirectory("discover-split")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shards = dir.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: shards.appendingPathComponent(".ingot"), withIntermediateDirectories: true)
        try Fixtures.write(Array("{}".utf8), to: "index.json", in: shards)
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("validation"), withIntermediateDirectories: true)
        for name in ["train-00000-of-00002.parquet", "train-00001-of-00002.parquet", "test-00000-of-00001.parquet", "trainer.jsonl"] {
            try Fixtures.write(Array("{}".utf8), to: name, in: data)
        }
        try Fixtures.write(Array("{}".utf8), to: "0000.parquet", in: data.appendingPathComponent("validation"))
        let names = { (split: String?) throws -> [String] in
            try CorpusFile.discover([dir.path], split: split).map { String($0.path.dropFirst(dir.path.count + 1)) }
        }
        #expect(try names(nil) == ["data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet", "data/trainer.jsonl", "data/validation/0000.parquet"])
        #expect(try names("train") == ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"])
        #expect(try names("validation") == ["data/validation/0000.parquet"])
        #expect(throws: IngotError.self) { try names("dev") }
    }

    /// A linked input is read through the link, whole: the HuggingFace cache is made of links.
    @Test func symbolicLinksAreReadThrough() throws {
        let dir = try TestPaths.makeTemporaryDirectory("links")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blobs = dir.appendingPathComponent("blobs")
        let snapshot = dir.appendingPathComponent("snapshots/main/data")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.sampleCorpus, to: blobs.appendingPathComponent("3f2a9c"))
        try FileManager.default.createSymbolicLink(
            atPath: snapshot.appendingPathComponent("train.jsonl").path, withDestinationPath: "../../../blobs/3f2a9c")
        let files = try CorpusFile.discover([dir.appendingPathComponent("snapshots").path])
        #expect(files.map(\.size) == [try FileManager.default.attributesOfItem(atPath: Fixtures.sampleCorpus.path)[.size] as! Int])
        #expect(try Self.documents([dir.appendingPathComponent("snapshots")]).count == 410)
        // Named explicitly, too.
        #expect(try Self.documents([snapshot.appendingPathComponent("train.jsonl")], partitionBytes: 100_000).count == 410)
    }

    /// A file whose name cannot be written in UTF-8 is an error, not a silent skip.
    @Test func namesThatAreNotUTF8AreRefused() throws {
        let dir = try TestPaths.makeTemporaryDirectory("names")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Fixtures.writeLines([#"{"text": "a"}"#], to: "good.jsonl", in: dir)
        let bad = Array(dir.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".jsonl".utf8) + [0]
        let fd = bad.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        close(fd)
        #expect {
            try CorpusFile.discover([dir.path])
        } throws: { error in
            "\(error)".contains("not UTF-8") && "\(error)".contains(dir.path)
        }
    }

    /// Field paths reach into objects and arrays; a value on the way that is neither says so.
    @Test func fieldPathsReachArraysAndExplainDeadEnds() throws {
        let dir = try TestPaths.makeTemporaryDirectory("fields")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.writeLines(
            [
                #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}"#,
                #"{"messages": "not a list"}"#,
                #"{"messages": []}"#,
            ], to: "chat.jsonl", in: dir)
        let second = try Self.documents([file], stage: ReadCorpus(field: "messages.1.content"), errorPolicy: .skip)
        #expect(second.map { String(decoding: $0.text, as: UTF8.self) } == ["hello"])
        #expect {
            _ = try Self.documents([file], stage: ReadCorpus(field: "messages.0.content"))
        } throws: { error in
            "\(error)" == "\(file.path):2: missing field 'messages.0.content': 'messages' is a string, not an object or array to look into"
        }
        #expect(throws: IngotError.self) { _ = try Self.documents([file], stage: ReadCorpus(field: "messages.role")) }
    }
}
