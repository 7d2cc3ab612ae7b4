/// One task's share of a run split across machines (a Slurm job array, a Kubernetes Indexed Job,
/// an AWS Batch array job): task `index` of `count` processes the partitions `p` with
/// `p % count == index`.
///
/// Partitions are fixed by the input, so the share is a pure function of the input, the pipeline
/// options and `count`; dealing them out in turn keeps the tasks' loads even when the last
/// partition of each file is small. Every task writes its shards under their final names into
/// the shared workspace, and `pipeline finalize` publishes the dataset once all are there: the
/// same bytes a run on one machine writes.
public struct TaskAssignment: Codable, Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// - Precondition: `0 <= index < count`.
    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "task \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// Whether partition `partition` is this task's.
    public func owns(partition: Int) -> Bool {
        Self.owner(of: partition, count: self.count) == self.index
    }

    /// The task that processes `partition` when a run is split into `count` tasks.
    public static func owner(of partition: Int, count: Int) -> Int {
        partition % count
    }

    public var description: String { "task \(self.index) of \(self.count)" }
}

/// What a task of a split run records when it starts, in `DIR/.ingot/tasks/task-IIIII.json`:
/// which task it is, the run it belongs to, and the index the finished dataset will have apart
/// from its shards and statistics. `pipeline finalize` publishes only when every task recorded
/// the same run and the same index.
public struct TaskRecord: Codable, Sendable, Equatable {
    public var task: TaskAssignment
    public var run: RunIdentity
    /// The dataset's index without shards and statistics (``DatasetIndex/init(schema:provenance:)``).
    public var index: DatasetIndex

    public init(task: TaskAssignment, run: RunIdentity, index: DatasetIndex) {
        self.task = task
        self.run = run
        self.index = index
    }

    /// Whether `other` is a task of the same split run: same run, same index, same task count.
    public func isSameRun(as other: TaskRecord) -> Bool {
        self.run == other.run && self.index == other.index && self.task.count == other.task.count
    }

    /// What differs from `other`, in words.
    public func differences(from other: TaskRecord) -> [String] {
        var differences = self.run.differences(from: other.run)
        if self.task.count != other.task.count { differences.append("--task-count \(other.task.count) -> \(self.task.count)") }
        if differences.isEmpty && self.index != other.index { differences.append("the tokenizer's special tokens or the pad id") }
        return differences
    }
}
