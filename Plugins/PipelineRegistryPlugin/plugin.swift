import PackagePlugin
@main struct PipelineRegistryPlugin: BuildToolPlugin { func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] { [] } }
