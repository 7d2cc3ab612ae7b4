import Foundation

/// The two batch scripts of a split run on Slurm, and their submission: a job array whose task
/// i runs `pipeline run NAME ... --task-index i --task-count n`, and a finalize job that starts
/// only when every task of the array succeeded (`--dependency=afterok`) and is cancelled by Slurm
/// when one fails (`--kill-on-invalid-dep=yes`): then `--only-tasks` submits the failed ones
/// again with a new finalize job.
struct SlurmJob {
    var name: String
    /// The `pipeline` executable, absolute: the compute nodes run the same build.
    var executable: String
    /// The run's arguments after `pipeline run`, without Slurm's.
    var runArguments: [String]
    /// The output directory, absolute.
    var output: String
    /// The directory the jobs start in (relative paths in the arguments resolve from it).
    var workingDirectory: String
    var taskCount: Int
    var tasks: [Int]
    var setsWorkers: Bool
    var options: SlurmOptions

    /// Where the scripts and the jobs' logs go: beside the dataset's workspace, on the shared
    /// filesystem.
    var scriptDirectory: String { "\(self.output)/.ingot/slurm" }

    var arrayScript: String {
        var lines = self.header(jobName: self.options.jobName ?? "ingot-\(self.name)", role: "one task of the split run per array index")
        lines.append("#SBATCH --array=\(Self.ranges(self.tasks))")
        lines.append("#SBATCH --output=\(self.scriptDirectory)/task-%a-%A.log")
        if let cpus = self.options.cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(cpus)") }
        if let mem = self.options.mem { lines.append("#SBATCH --mem=\(mem)") }
        lines.append(contentsOf: self.options.sbatchOption.map { "#SBATCH \($0)" })
        var command = [self.executable, "run"] + self.runArguments
        command = command.map(Self.quoted)
        command += ["--task-index", "\"$SLURM_ARRAY_TASK_ID\"", "--task-count", "\(self.taskCount)"]
        if self.setsWorkers { command += ["--workers", "\"${SLURM_CPUS_PER_TASK:-$(nproc)}\""] }
        lines += ["", "set -euo pipefail", "exec " + command.joined(separator: " "), ""]
        return lines.joined(separator: "\n")
    }

    var finalizeScript: String {
        var lines = self.header(jobName: "\(self.options.jobName ?? "ingot-\(self.name)")-finalize", role: "publishes the dataset once every task succeeded")
        lines.append("#SBATCH --output=\(self.scriptDirectory)/finalize-%j.log")
        lines.append("#SBATCH --cpus-per-task=1")
        lines.append(contentsOf: self.options.sbatchOption.map { "#SBATCH \($0)" })
        lines += ["", "set -euo pipefail", "exec \(Self.quoted(self.executable)) finalize \(Self.quoted(self.output))", ""]
        return lines.joined(separator: "\n")
    }

    private func header(jobName: String, role: String) -> [String] {
        var lines = [
            "#!/bin/bash",
            "# Written by `pipeline slurm \(self.name)`: \(role).",
            "#SBATCH --job-name=\(jobName)",
            "#SBATCH --chdir=\(self.workingDirectory)",
            "#SBATCH --ntasks=1",
        ]
        if let partition = self.options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time = self.options.time { lines.append("#SBATCH --time=\(time)") }
        return lines
    }

    /// Writes both scripts, submits the array, then the finalize job after it; returns their ids.
    func submit() throws -> (array: String, finalize: String) {
        try FileManager.default.createDirectory(atPath: self.scriptDirectory, withIntermediateDirectories: true)
        let arrayPath = "\(self.scriptDirectory)/array.sbatch"
        let finalizePath = "\(self.scriptDirectory)/finalize.sbatch"
        try self.arrayScript.write(toFile: arrayPath, atomically: true, encoding: .utf8)
        try self.finalizeScript.write(toFile: finalizePath, atomically: true, encoding: .utf8)
        let array = try Self.sbatch(["--parsable", arrayPath])
        let finalize = try Self.sbatch(["--parsable", "--dependency=afterok:\(array)", "--kill-on-invalid-dep=yes", finalizePath])
        return (array, finalize)
    }

    /// The sbatch commands `submit()` runs, for a dry run.
    var commands: [String] {
        [
            "sbatch --parsable \(self.scriptDirectory)/array.sbatch",
            "sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes \(self.scriptDirectory)/finalize.sbatch",
        ]
    }

    /// Runs sbatch; returns the job id it prints (`--parsable`: `ID` or `ID;CLUSTER`).
    private static func sbatch(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw SlurmError("cannot run sbatch: \(error)")
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = complaint.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SlurmError("sbatch \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus))\(reason.isEmpty ? "" : ": \(reason)")")
        }
        let id = printed.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError("sbatch printed '\(printed.trimmingCharacters(in: .whitespacesAndNewlines))', not a job id")
        }
        return id
    }

    /// `0-3`, `3,7` or `0-2,5`: sbatch's --array syntax for sorted indices.
    static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < indices.count {
            var j = i
            while j + 1 < indices.count && indices[j + 1] == indices[j] + 1 { j += 1 }
            parts.append(i == j ? "\(indices[i])" : "\(indices[i])-\(indices[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// `text` as one shell word.
    static func quoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

struct SlurmError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
