import ArgumentParser
import Foundation
import Ingot
import Pipelines

extension PipelineCommand {
    /// `pipeline slurm NAME ...`: the run as a Slurm job array plus a finalize job.
    struct Slurm: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "slurm",
                abstract: "Run a pipeline on a Slurm cluster: a job array of tasks, then a finalize job.",
                discussion: """
                    Takes `pipeline run NAME`'s options, and Slurm's. Each array task runs `pipeline run NAME \
                    ... --task-index $SLURM_ARRAY_TASK_ID --task-count N` into the shared --output; the \
                    finalize job runs `pipeline finalize` when all succeeded. Needs a filesystem every node \
                    shares (inputs, output, the pipeline executable). Scripts and logs go to OUTPUT/.ingot/slurm.
                    """,
                subcommands: PipelineRegistry.all.map { slurmCommand(for: $0) })
        }
    }
}

private func slurmCommand<P: PipelineDefinition>(for pipeline: P.Type) -> any AsyncParsableCommand.Type {
    SlurmPipeline<P>.self
}

/// `pipeline slurm NAME`: `pipeline run NAME`'s options, then Slurm's.
struct SlurmPipeline<Pipeline: PipelineDefinition>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Pipeline.name, abstract: "Submit `pipeline run \(Pipeline.name)` as a Slurm job array, then finalize.")
    }

    @OptionGroup
    var run: RunPipeline<Pipeline>

    @OptionGroup(title: "Slurm")
    var slurm: SlurmOptions

    func validate() throws {
        guard self.run.options.output != nil else {
            throw ValidationError("pipeline slurm needs --output: the directory on the shared filesystem that every task writes to")
        }
        guard self.run.options.taskIndex == nil && self.run.options.taskCount == nil else {
            throw ValidationError("--task-index and --task-count are set by pipeline slurm (--tasks)")
        }
    }

    func run() async throws {
        try await exitingOnError {
            // Plan as every task will, so a wrong path or option fails here, not on the cluster.
            let (runner, environment, source) = try await self.run.prepare()
            let plan = try runner.plan(self.run.pipeline, environment: environment)
            let tasks = try self.slurm.selectedTasks()
            let count = self.slurm.tasks
            let shares = tasks.map { task in plan.partitions.filter { TaskAssignment.owner(of: $0.index, count: count) == task }.count }

            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let at = arguments.firstIndex(of: "slurm"), at + 1 < arguments.count else {
                throw SlurmError("cannot find the run's arguments in the command line")
            }
            let cwd = FileManager.default.currentDirectoryPath
            let output = runner.configuration.output
            let job = SlurmJob(
                name: Pipeline.name,
                executable: Self.executablePath(),
                runArguments: [Pipeline.name] + SlurmOptions.runArguments(from: Array(arguments[(at + 2)...])),
                output: output.hasPrefix("/") ? output : "\(cwd)/\(output)",
                workingDirectory: cwd,
                taskCount: count,
                tasks: tasks,
                setsWorkers: self.run.options.workers == nil,
                options: self.slurm)

            let (least, most) = (shares.min() ?? 0, shares.max() ?? 0)
            let each = least == most ? "\(least)" : "\(least)-\(most)"
            print("\(Pipeline.name): \(source), \(plan.partitions.count) partitions over \(count) tasks (\(each) each)\(tasks.count < count ? "; submitting \(Self.tasksInWords(tasks)) only" : "")")
            if shares.contains(0) {
                print("note: more tasks than partitions: some tasks have nothing to do (--partition-mb smaller makes more partitions)")
            }
            if self.slurm.dryRun {
                print("--- \(job.scriptDirectory)/array.sbatch\n\(job.arrayScript)")
                print("--- \(job.scriptDirectory)/finalize.sbatch\n\(job.finalizeScript)")
                print("--- commands\n\(job.commands.joined(separator: "\n"))")
                return
            }
            let ids = try job.submit()
            print("submitted job array \(ids.array) (\(Self.tasksInWords(tasks)) of \(count)) and finalize job \(ids.finalize) (starts when all succeed)")
            print("logs: \(job.scriptDirectory)/; a failed task: pipeline slurm \(Pipeline.name) ... --only-tasks I")
        }
    }

    private static func tasksInWords(_ tasks: [Int]) -> String {
        "\(tasks.count == 1 ? "task" : "tasks") \(SlurmJob.ranges(tasks))"
    }

    /// This executable's absolute path: the batch scripts run the same build.
    private static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let first = CommandLine.arguments[0]
        return first.hasPrefix("/") ? first : "\(FileManager.default.currentDirectoryPath)/\(first)"
    }
}
