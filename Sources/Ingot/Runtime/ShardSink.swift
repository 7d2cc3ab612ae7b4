/// Where encoded frames go: the ``DatasetWriter`` in every real run; tests wrap it to slow it
/// down or watch it. Driven by a single task.
public protocol ShardSink: AnyObject {
    /// Partitions already finished before the run started (a resumed run skips them).
    var completedPartitions: [Int: PartitionRecord] { get }
    /// Called once before the first frame, while the workers start: what preparing the output
    /// can leave until then.
    func start() async throws
    func write(_ frame: ShardFrame, partition: Int) async throws
    /// All of `partition`'s frames have been written.
    func finishPartition(_ partition: Int, statistics: RunStatistics, bytesRead: [String: Int]) async throws
    /// Every partition is finished: publish the dataset.
    func finish(partitions: Int, provenance: DatasetIndex.Provenance) async throws -> DatasetIndex
}

extension ShardSink {
    public func start() async throws {}
}

// The writer's synchronous methods witness the async requirements.
extension DatasetWriter: ShardSink {}
