/// What a finished run produced.
public struct RunReport: Sendable {
    /// The published index (also at `<output>/index.json`).
    public var index: DatasetIndex
    public var wallTime: Duration
    public var partitions: Int
    /// Partitions an interrupted run had finished, kept by `--resume`.
    public var resumedPartitions: Int
    public var workers: Int
    /// The most bytes of encoded frames that ever waited for the writer: the back-pressure
    /// bound at work.
    public var peakBufferedBytes: Int

    public var statistics: RunStatistics { self.index.statistics }

    /// Bytes of shard files written.
    public var outputBytes: Int {
        self.index.shards.reduce(0) { $0 + $1.files.values.reduce(0) { $0 + $1.bytes } }
    }
}
