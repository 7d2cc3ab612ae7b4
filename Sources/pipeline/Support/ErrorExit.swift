import ArgumentParser
import Foundation

/// Runs a command's body; an error Ingot reports (bad input, a missing file, a tokenizer it
/// cannot load) is printed once as `error: …` on stderr and exits with status 1. The command
/// line's own errors (usage, `--help`, explicit exit codes) pass through to swift-argument-parser.
func exitingOnError<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
        throw error
    } catch let interrupted as Interrupted {
        printError("\ninterrupted (signal \(interrupted.signal)): no index was written")
        throw ExitCode(128 + interrupted.signal)
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

/// The synchronous form, for commands that do not await.
func exitingOnError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
        throw error
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
