// `import Ingot` brings the whole toolkit a pipeline author needs.
@_exported public import IngotCore
@_exported public import IngotCorpus
@_exported public import IngotShards
@_exported public import IngotTokenizers
@_exported public import IngotJSON
@_exported public import IngotChat
@_exported public import IngotJinja
