public import ArgumentParser

// Values the command line sets, parsed and listed by swift-argument-parser.

extension ErrorPolicy: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["stop", "skip"] }
}

extension Pad.Side: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["left", "right"] }
}

extension Pack.Strategy.Kind: ExpressibleByArgument {}

extension ShardSchema.Compression: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["zstd", "zstd:LEVEL", "none"] }
    public var defaultValueDescription: String { self.zstdLevel.map { "zstd:\($0)" } ?? "none" }
}

extension ConversationFormat: ExpressibleByArgument {}

extension TrainingTarget: ExpressibleByArgument {}
