import Foundation
import IngotSystem
import Testing

@Suite final class FileSystemTests {
    let directory: String

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-system-\(UUID().uuidString)").path
        try FileSystem.createDirectory(self.directory + "/a/b")
    }

    deinit { try? FileManager.default.removeItem(atPath: self.directory) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = self.directory + "/" + name
        let file = try OpenFile(path, mode: .createOrTruncate)
        try file.write(bytes)
        try file.close()
        return path
    }

    /// The size of a link is its target's: inputs in the HuggingFace cache are links.
    @Test func statusFollowsSymbolicLinks() throws {
        let target = try self.write("target.txt", Array(repeating: 0x41, count: 12_345))
        let link = self.directory + "/a/link.txt"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let status = try FileSystem.status(of: link)
        #expect(status.kind == .regular)
        #expect(status.size == 12_345)
        #expect(status.inode == (try FileSystem.status(of: target)).inode)
    }

    @Test func listingKeepsNamesThatAreNotUTF8() throws {
        let bad: [UInt8] = Array("bad-".utf8) + [0xFF, 0xFE] + Array(".jsonl".utf8)
        let path = Array(self.directory.utf8) + [0x2F] + bad + [0]
        let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        close(fd)
        let entries = try FileSystem.entries(of: self.directory)
        let entry = try #require(entries.first { $0.nameBytes == bad })
        #expect(entry.name == nil)
        #expect(entries.contains { $0.name == "a" })
    }

    @Test func positionedReadsAndShortReadAtTheEnd() throws {
        let path = try self.write("data.bin", Array(0..<200))
        let file = try OpenFile(path, mode: .read)
        var bytes: [UInt8] = [9]
        #expect(try file.read(at: 190, count: 50, appendingTo: &bytes) == 10)
        #expect(bytes == [9] + Array(190..<200))
        #expect(try file.read(at: 500, count: 5, appendingTo: &bytes) == 0)
    }

    /// Writeback and data syncs started while writing (and writeback asked for past the end, or
    /// on a file opened for reading) leave the bytes as written.
    @Test func startedWritebackLeavesTheBytesAsWritten() throws {
        let path = self.directory + "/written-back.bin"
        let file = try OpenFile(path, mode: .createOrTruncate)
        var expected: [UInt8] = []
        for piece in 0..<3 {
            let bytes = (0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ piece) }
            try file.write(bytes)
            file.startWriteback(offset: expected.count, count: bytes.count)
            file.startDataSync()
            expected += bytes
        }
        file.startWriteback(offset: expected.count + 4096, count: 1 << 20)
        try file.sync()
        try file.close()
        let reader = try OpenFile(path, mode: .read)
        reader.startWriteback(offset: 0, count: 4096)
        var bytes: [UInt8] = []
        #expect(try reader.read(at: 0, count: expected.count + 10, appendingTo: &bytes) == expected.count)
        #expect(bytes == expected)
    }

    /// A data sync runs on another thread; what it meets is reported by every later `sync` (a
    /// failed flush may not fail again on Linux).
    @Test func dataSyncFailureIsReportedBySync() throws {
        // Character devices cannot be flushed: fdatasync fails with EINVAL.
        let file = try OpenFile("/dev/null", mode: .createOrTruncate)
        try file.write([1, 2, 3])
        file.startDataSync()
        // It runs on another thread, and is seen to finish.
        let deadline = ContinuousClock.now + .seconds(10)
        while file.isSyncingData && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(!file.isSyncingData)
        // Its failure is reported in place of the final fsync's, and again on a second try.
        for _ in 0..<2 {
            do {
                try file.sync()
                Issue.record("a failed data sync went unreported")
            } catch {
                #expect(error.operation == "fdatasync" && error.code == EINVAL)
            }
        }
        try file.close()
    }

    /// An exclusive lock is refused to a second open of the same file, and freed on close.
    @Test func exclusiveLockIsExclusive() throws {
        let path = self.directory + "/.lock"
        let first = try OpenFile(path, mode: .createOrOpen)
        let second = try OpenFile(path, mode: .createOrOpen)
        #expect(try first.tryLockExclusively())
        #expect(try !second.tryLockExclusively())
        try first.close()
        #expect(try second.tryLockExclusively())
    }

    @Test func errorsNameTheOperationAndPath() throws {
        do {
            _ = try OpenFile(self.directory + "/missing", mode: .read)
            Issue.record("opened a missing file")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description == "cannot open '\(self.directory)/missing': No such file or directory")
        }
        try FileSystem.removeFile(self.directory + "/missing")  // already gone: fine
        try FileSystem.rename(try self.write("x", [1]), to: self.directory + "/y")
        #expect(FileSystem.exists(self.directory + "/y") && !FileSystem.exists(self.directory + "/x"))
        #expect(FileSystem.parent(of: "/a/b/c.txt") == "/a/b" && FileSystem.parent(of: "c.txt") == "" && FileSystem.parent(of: "/c") == "/")
    }

    @Test func utcTimestampIsISO8601AndNow() throws {
        let stamp = FileSystem.utcTimestamp
        #expect(stamp.count == 20 && stamp.hasSuffix("Z"), "\(stamp)")
        let parsed = try #require(ISO8601DateFormatter().date(from: stamp), "\(stamp)")
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }
}
