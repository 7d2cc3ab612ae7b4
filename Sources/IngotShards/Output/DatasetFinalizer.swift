import Foundation
public import IngotCore
import IngotSystem

/// Publishes the dataset of a run split into tasks (``TaskAssignment``) once all of them are
/// done: `pipeline finalize DIR`.
///
/// It publishes only what one machine's run would have: every task recorded the same run (same
/// pipeline, options, tokenizer, layout, inputs and partitioning) and the same task count, and
/// every partition has its completion record from that run, with every shard file at its size
/// and checksum. Otherwise it refuses, listing the missing or inconsistent partitions and the
/// tasks to run again, and the directory is left as it was. The index is assembled from the
/// partition records in partition order, exactly as a whole run's writer does, so a local run
/// and n tasks plus finalize give the same bytes.
public enum DatasetFinalizer {
    public struct Result: Sendable {
        /// The published index.
        public var index: DatasetIndex
        /// The task count of the split run; nil when the directory already held the finalized
        /// dataset (finalizing twice is not an error).
        public var tasks: Int?
    }

    public static func finalize(directory: String) throws(IngotError) -> Result {
        let workspace = Workspace(directory: directory)
        guard FileSystem.exists(directory) else {
            throw IngotError(.configuration, "'\(directory)' does not exist")
        }
        let lock = try OutputLock(directory: directory)
        defer { lock.release() }
        do {
            return try self.finalize(workspace)
        } catch let error as IngotError {
            throw error
        } catch {
            throw IngotError(.io, "cannot finalize '\(directory)'", cause: error)
        }
    }

    private static func finalize(_ workspace: Workspace) throws -> Result {
        let indexPath = workspace.published(DatasetIndex.fileName)
        let hasIndex = FileSystem.exists(indexPath)
        guard FileSystem.exists(workspace.tasks) else {
            if hasIndex {
                return Result(index: try DatasetIndex.decode(Array(try Workspace.contents(of: indexPath)), path: indexPath), tasks: nil)
            }
            throw IngotError(
                .configuration, "'\(workspace.directory)' holds no split run to finalize (no \(workspace.tasks)); run the tasks with --task-index and --task-count first")
        }

        // Every task must have recorded the same run.
        var tasks: [TaskRecord] = []
        for name in try FileSystem.entries(of: workspace.tasks).compactMap(\.name).sorted() where name.hasSuffix(".json") {
            let path = "\(workspace.tasks)/\(name)"
            do {
                tasks.append(try JSONDecoder().decode(TaskRecord.self, from: try Workspace.contents(of: path)))
            } catch {
                throw IngotError(.configuration, "cannot finalize '\(workspace.directory)': '\(path)' is not a task record", cause: error)
            }
        }
        guard let reference = tasks.first else {
            throw IngotError(.configuration, "'\(workspace.directory)' holds no task records in \(workspace.tasks); run the tasks first")
        }
        let disagreeing = tasks.filter { !$0.isSameRun(as: reference) }
        guard disagreeing.isEmpty else {
            let lines = disagreeing.prefix(5).map { "  \($0.task) differs from \(reference.task): \($0.differences(from: reference).joined(separator: "; "))" }
            throw IngotError(
                .configuration,
                "cannot finalize '\(workspace.directory)': its tasks were not all run with the same arguments\n\(lines.joined(separator: "\n"))\nrun them again with the same arguments (--overwrite replaces the odd ones' work)")
        }
        let count = reference.task.count
        let partitions = reference.run.partitions.count
        let fingerprint = reference.run.fingerprint

        // Every partition must be finished by that run, its files intact.
        var problems: [(partition: Int, reason: String)] = []
        var records: [PartitionRecord] = []
        var alreadyPublished = Set<String>()
        for partition in 0..<partitions {
            let path = workspace.staged(Workspace.recordName(partition: partition))
            guard FileSystem.exists(path) else {
                problems.append((partition, "not finished"))
                continue
            }
            guard let record = Workspace.record(PartitionRecord.self, at: path),
                record.partition == partition
            else {
                problems.append((partition, "its completion record is unreadable"))
                continue
            }
            guard record.run == fingerprint else {
                problems.append((partition, "finished by a different run"))
                continue
            }
            var damaged: String?
            for file in record.shards.flatMap({ $0.files.values }).sorted(by: { $0.file < $1.file }) {
                switch workspace.locate(file, hasIndex: hasIndex, verifyingChecksum: true) {
                case .staged: break
                case .published: alreadyPublished.insert(file.file)
                case nil: damaged = "\(file.file) is missing, or its size or checksum is not the recorded one"
                }
                if damaged != nil { break }
            }
            if let damaged {
                problems.append((partition, damaged))
            } else {
                records.append(record)
            }
        }
        let missingTasks = Set(0..<count).subtracting(tasks.map(\.task.index))
        guard problems.isEmpty && missingTasks.isEmpty else {
            let rerun = Set(problems.map { TaskAssignment.owner(of: $0.partition, count: count) }).union(missingTasks).sorted()
            var lines = problems.prefix(20).map {
                "  partition \($0.partition) (task \(TaskAssignment.owner(of: $0.partition, count: count))): \($0.reason)"
            }
            if problems.count > 20 { lines.append("  ... and \(problems.count - 20) more") }
            if !missingTasks.isEmpty {
                lines.append("  tasks never started: \(missingTasks.sorted().map(String.init).joined(separator: ", "))")
            }
            throw IngotError(
                .configuration,
                """
                cannot finalize '\(workspace.directory)': \(problems.count) of \(partitions) partitions are not done
                \(lines.joined(separator: "\n"))
                run again: tasks \(rerun.map(String.init).joined(separator: ",")) of \(count) (--task-index I --task-count \(count), or `pipeline slurm ... --only-tasks \(rerun.map(String.init).joined(separator: ","))`), then finalize
                """)
        }

        var index = reference.index.adding(records)
        do {
            try index.validate()
        } catch {
            throw IngotError(.internalInconsistency, "the assembled index is invalid: \(error.message)")
        }
        let bytes = try index.encoded()
        try workspace.publish(shards: index.shards, index: bytes, alreadyPublished: alreadyPublished)
        return Result(index: index, tasks: count)
    }
}
