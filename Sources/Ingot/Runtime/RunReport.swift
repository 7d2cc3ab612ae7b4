/// What a finished run produced.
public struct RunReport: Sendable {
    /// The published index (also at `<output>/index.json`); for a task of a split run, an
    /// unpublished index of the task's share alone.
    public var index: DatasetIndex
    public var wallTime: Duration
    /// Partitions of the run (of the task's share, for a task).
    public var partitions: Int
    /// Partitions an interrupted run had finished, kept by `--resume`.
    public var resumedPartitions: Int
    public var workers: Int
    /// The most bytes of encoded frames that ever waited for the writer: the back-pressure
    /// bound at work.
    public var peakBufferedBytes: Int
    /// The share this run was, when split into tasks.
    public var task: TaskAssignment?

    public var statistics: RunStatistics { self.index.statistics }

    /// Bytes of shard files written.
    public var outputBytes: Int {
        self.index.shards.reduce(0) { $0 + $1.files.values.reduce(0) { $0 + $1.bytes } }
    }
}
