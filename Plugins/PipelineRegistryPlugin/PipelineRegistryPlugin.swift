import Foundation
import PackagePlugin

/// Generates `PipelineRegistry.swift` for the `Pipelines` target: every type in the target that
/// conforms to `PipelineDefinition` is listed, so a new file in `Pipelines/` shows up in
/// `pipeline list` with no registration by hand.
@main
struct PipelineRegistryPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let inputs = target.sourceFiles(withSuffix: "swift").map(\.url)
        let output = context.pluginWorkDirectoryURL.appending(path: "PipelineRegistry.swift")
        return [
            .buildCommand(
                displayName: "Generating the pipeline registry of \(target.name)",
                executable: try context.tool(named: "PipelineRegistryGenerator").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
