import Foundation
import IngotCompression
import Testing

@Suite struct ZstdTests {
    static let payload: [UInt8] = (0..<100_000).map { UInt8(truncatingIfNeeded: ($0 * 7) ^ ($0 >> 5)) }

    static func compress(_ compressor: ZstdCompressor, _ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { raw in try compressor.compress(raw) }
    }

    static func decompress(_ frame: [UInt8], size: Int) throws -> [UInt8] {
        try frame.withUnsafeBytes { raw in try Zstd.decompressFrame(raw, expectedSize: size) }
    }

    /// A reused context writes the same bytes as a fresh one: reuse is a speed choice only.
    @Test func reusedContextWritesTheSameFrames() throws {
        let reused = try ZstdCompressor(level: 5)
        let parts = [Array(Self.payload[..<40_000]), Array(Self.payload[40_000...]), Self.payload, []]
        for part in parts {
            let fresh = try Self.compress(try ZstdCompressor(level: 5), part)
            #expect(try Self.compress(reused, part) == fresh)
            #expect(try Self.decompress(fresh, size: part.count) == part)
        }
    }

    /// Smaller match tables change the frame, not what it decodes to, and a context going back
    /// and forth between them and zstd's own choice writes what fresh contexts write.
    @Test func matchTablesAreSetPerFrame() throws {
        // 64K uint16 "ids": phrases drawn from a pool of 2,000, so that matches lie at every
        // distance and a small table misses some of them.
        var state: UInt32 = 1
        func next(_ bound: UInt32) -> UInt32 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return (state >> 8) % bound
        }
        let phrases: [[UInt16]] = (0..<2_000).map { _ in (0..<(4 + Int(next(12)))).map { _ in UInt16(next(50_000)) } }
        var ids: [UInt16] = []
        while ids.count < 65_536 { ids += phrases[Int(next(UInt32(phrases.count)))] }
        let payload = ids[..<65_536].withUnsafeBytes { Array($0) }
        let capped = try payload.withUnsafeBytes { try ZstdCompressor(level: 4).compress($0, matchTableLog: 12) }
        let own = try Self.compress(try ZstdCompressor(level: 4), payload)
        let differs = capped != own  // not in the expectation: it would print both frames
        #expect(differs)
        #expect(try Self.decompress(capped, size: payload.count) == payload)
        for tiny in [[], [7], Array(payload.prefix(100))] as [[UInt8]] {
            let frame = try tiny.withUnsafeBytes { try ZstdCompressor(level: 4).compress($0, matchTableLog: 14) }
            #expect(try Self.decompress(frame, size: tiny.count) == tiny)
        }
        let reused = try ZstdCompressor(level: 4)
        for tables: Int32? in [12, nil, 12, nil] {
            let frame = try payload.withUnsafeBytes { try reused.compress($0, matchTableLog: tables) }
            let expected = frame == (tables == nil ? own : capped)
            #expect(expected, "tables \(tables.map(String.init) ?? "zstd's")")
        }
    }

    /// Frames carry a checksum: a flipped byte in the payload is an error, never wrong bytes.
    @Test func aFlippedByteIsDetected() throws {
        var frame = try Self.compress(try ZstdCompressor(level: 3), Self.payload)
        frame[frame.count / 2] ^= 0x01
        #expect(throws: CompressionError.self) { try Self.decompress(frame, size: Self.payload.count) }
    }

    @Test func aCutStreamIsTruncated() throws {
        let frame = try Self.compress(try ZstdCompressor(level: 3), Self.payload)
        let decoder = try ZstdStreamDecoder()
        var output: [UInt8] = []
        try frame.dropLast(10).withUnsafeBytes { raw in try decoder.decode(raw, into: &output) }
        do {
            try decoder.finish()
            Issue.record("a cut stream finished cleanly")
        } catch {
            #expect(error.kind == .truncated)
        }
    }
}

@Suite struct GzipTests {
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    /// Members back to back (`cat a.gz b.gz`), fed in pieces of every size: the stream state
    /// survives between calls (it lives at a fixed address, as zlib requires).
    @Test(arguments: [7, 4096, 1 << 20])
    func concatenatedMembersInPieces(_ piece: Int) throws {
        let a = Array("first member\n".utf8) + (0..<5000).map { UInt8(0x61 + $0 % 26) }
        let b = Array("second member\n".utf8)
        let stream = try Self.gzip(a) + Self.gzip(b)
        let decoder = try GzipStreamDecoder()
        var output: [UInt8] = []
        var i = 0
        while i < stream.count {
            let end = min(stream.count, i + piece)
            try stream[i..<end].withUnsafeBytes { raw in try decoder.decode(raw, into: &output) }
            i = end
        }
        try decoder.finish()
        #expect(output == a + b)
    }

    @Test func aCutMemberIsTruncated() throws {
        let stream = try Self.gzip(Array(repeating: 0x41, count: 10_000))
        let decoder = try GzipStreamDecoder()
        var output: [UInt8] = []
        try stream.dropLast(6).withUnsafeBytes { raw in try decoder.decode(raw, into: &output) }
        #expect(throws: CompressionError.self) { try decoder.finish() }
    }
}
