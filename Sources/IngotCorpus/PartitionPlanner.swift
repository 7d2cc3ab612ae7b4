public import IngotCore

/// Cuts a corpus into partitions of about `targetBytes` each.
///
/// A file larger than the target that its format can cut (plain JSONL, at line boundaries) gives
/// one partition per piece. Other files are grouped, in order, until a group reaches the target.
/// The plan depends only on the files and `targetBytes`.
public struct PartitionPlanner: Sendable {
    public var targetBytes: Int

    public init(targetBytes: Int = 32 << 20) {
        precondition(targetBytes > 0)
        self.targetBytes = targetBytes
    }

    public func plan(_ files: [CorpusFile]) throws(IngotError) -> [CorpusPartition] {
        var partitions: [CorpusPartition] = []
        var group: [FilePiece] = []
        var groupBytes = 0

        func closeGroup() {
            if !group.isEmpty {
                partitions.append(CorpusPartition(index: partitions.count, pieces: group))
                group = []
                groupBytes = 0
            }
        }

        for file in files {
            if file.size > self.targetBytes, let pieces = try file.format.pieces(of: file, targetBytes: self.targetBytes) {
                closeGroup()
                for piece in pieces {
                    partitions.append(CorpusPartition(index: partitions.count, pieces: [piece]))
                }
                continue
            }
            if groupBytes > 0 && groupBytes + file.size > self.targetBytes {
                closeGroup()
            }
            group.append(file.wholePiece)
            groupBytes += file.size
        }
        closeGroup()
        return partitions
    }
}
