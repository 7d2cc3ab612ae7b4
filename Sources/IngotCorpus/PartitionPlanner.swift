#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import IngotCore

/// Cuts a corpus into partitions of about `targetBytes` each.
///
/// Plain JSONL files larger than the target are cut at the first line boundary after every
/// multiple of the target (one sequential pass that also counts lines, so errors can name the
/// absolute line). Smaller and unsplittable files are grouped, in order, until a group reaches
/// the target. The plan depends only on the files and `targetBytes`.
public struct PartitionPlanner: Sendable {
    public var targetBytes: Int

    public init(targetBytes: Int = 32 << 20) {
        precondition(targetBytes > 0)
        self.targetBytes = targetBytes
    }

    public func plan(_ files: [CorpusFile]) throws(IngotError) -> [CorpusPartition] {
        var partitions: [CorpusPartition] = []
        var group: [CorpusPartition.Segment] = []
        var groupBytes = 0

        func closeGroup() {
            if !group.isEmpty {
                partitions.append(CorpusPartition(index: partitions.count, segments: group))
                group = []
                groupBytes = 0
            }
        }

        for file in files {
            if file.format.isSplittable && file.size > self.targetBytes {
                closeGroup()
                for segment in try self.split(file) {
                    partitions.append(CorpusPartition(index: partitions.count, segments: [segment]))
                }
                continue
            }
            if groupBytes > 0 && groupBytes + file.size > self.targetBytes {
                closeGroup()
            }
            group.append(CorpusPartition.Segment(file: file, range: 0..<file.size, firstLine: 1))
            groupBytes += file.size
        }
        closeGroup()
        return partitions
    }

    /// Cuts one JSONL file at line boundaries.
    private func split(_ file: CorpusFile) throws(IngotError) -> [CorpusPartition.Segment] {
        let input = try InputFile(path: file.path)
        var segments: [CorpusPartition.Segment] = []
        var segmentStart = 0
        var segmentLine = 1
        var line = 1
        var offset = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var nextCut = self.targetBytes
        while offset < file.size {
            buffer.removeAll(keepingCapacity: true)
            let n = try input.read(at: offset, count: 1 << 20, appendingTo: &buffer)
            if n == 0 { break }
            buffer.withUnsafeBytes { raw in
                let base = raw.baseAddress!
                var i = 0
                while i < n {
                    guard let hit = memchr(base + i, 0x0A, n - i) else { break }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    line += 1
                    let lineEnd = offset + position + 1
                    if lineEnd >= nextCut && lineEnd < file.size {
                        segments.append(.init(file: file, range: segmentStart..<lineEnd, firstLine: segmentLine))
                        segmentStart = lineEnd
                        segmentLine = line
                        nextCut = lineEnd + self.targetBytes
                    }
                    i = position + 1
                }
            }
            offset += n
        }
        segments.append(.init(file: file, range: segmentStart..<file.size, firstLine: segmentLine))
        return segments
    }
}
