import Foundation
import ArgumentParser

/// How `pipeline slurm NAME` asks Slurm for resources; every other option is the run's own and
/// is passed on to each task's `pipeline run NAME`.
struct SlurmOptions: ParsableArguments {
    @Option(help: "Tasks in the job array: the run's partitions are dealt out among them (partition p to task p % tasks).")
    var tasks: Int

    @Option(help: "Submit only these tasks again (comma-separated indices, e.g. 3,7), with a new finalize job: for tasks that failed. Their finished partitions are kept.")
    var onlyTasks: String?

    @Option(help: "Slurm partition (sbatch --partition).")
    var partition: String?

    @Option(help: "Time limit of each task (sbatch --time, e.g. 2:00:00).")
    var time: String?

    @Option(help: "CPUs per task (sbatch --cpus-per-task); the task's --workers, unless given.")
    var cpusPerTask: Int?

    @Option(help: "Memory per task (sbatch --mem, e.g. 8G).")
    var mem: String?

    @Option(help: "The job's name (sbatch --job-name). Default: ingot-NAME.")
    var jobName: String?

    @Option(help: "Any other sbatch option for both jobs, repeatable (e.g. --sbatch-option=--account=ml).")
    var sbatchOption: [String] = []

    @Flag(help: "Print the scripts and the sbatch commands instead of submitting.")
    var dryRun = false

    /// Options with a value and flags that are Slurm's, not the run's.
    static let valueOptions: Set<String> = [
        "--tasks", "--only-tasks", "--partition", "--time", "--cpus-per-task", "--mem", "--job-name", "--sbatch-option",
    ]
    static let flags: Set<String> = ["--dry-run"]

    func validate() throws {
        guard self.tasks > 0 else { throw ValidationError("--tasks must be positive") }
        if let cpus = self.cpusPerTask, cpus <= 0 { throw ValidationError("--cpus-per-task must be positive") }
        _ = try self.selectedTasks()
    }

    /// The task indices to submit: all, or those of --only-tasks.
    func selectedTasks() throws -> [Int] {
        guard let list = self.onlyTasks else { return Array(0..<self.tasks) }
        var selected: [Int] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let index = Int(item.trimmingCharacters(in: .whitespaces)), (0..<self.tasks).contains(index) else {
                throw ValidationError("--only-tasks: '\(item)' is not a task index in 0..<\(self.tasks)")
            }
            if !selected.contains(index) { selected.append(index) }
        }
        return selected.sorted()
    }

    /// `arguments` without the Slurm options: what each task passes to `pipeline run NAME`.
    static func runArguments(from arguments: [String]) -> [String] {
        var kept: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if Self.flags.contains(argument) {
                i += 1
            } else if Self.valueOptions.contains(name) {
                i += argument.contains("=") ? 1 : 2
            } else {
                kept.append(argument)
                i += 1
            }
        }
        return kept
    }
}
