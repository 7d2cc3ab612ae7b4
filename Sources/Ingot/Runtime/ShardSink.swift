/// Where encoded frames go: the ``DatasetWriter`` in every real run; tests wrap it to slow it
/// down or watch it. Driven by a single task.
public protocol ShardSink: AnyObject {
    func write(_ frame: ShardFrame, partition: Int) async throws
    func finish(statistics: RunStatistics, provenance: DatasetIndex.Provenance) async throws -> DatasetIndex
}

// The writer's synchronous methods witness the async requirements.
extension DatasetWriter: ShardSink {}
