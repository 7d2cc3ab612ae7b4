import Foundation
public import IngotCore

/// What a run is, written to `.ingot/run.json` when it starts: a run resumed with `--resume`
/// must be the same run (pipeline, options, tokenizer, layout, inputs and their partitioning),
/// or the finished partitions it keeps would not belong to the dataset it completes.
public struct RunIdentity: Codable, Sendable, Equatable {
    public struct InputFile: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        /// Nanoseconds since the epoch.
        public var modified: Int64

        public init(path: String, bytes: Int, modified: Int64) {
            self.path = path
            self.bytes = bytes
            self.modified = modified
        }
    }

    /// One piece of a partition: a byte range of an input.
    public struct Piece: Codable, Sendable, Equatable {
        public var path: String
        public var start: Int
        public var end: Int

        public init(path: String, start: Int, end: Int) {
            self.path = path
            self.start = start
            self.end = end
        }
    }

    public var pipeline: DatasetIndex.PipelineInfo
    /// The shard layout, as ``ShardSchema/description``.
    public var layout: String
    public var tokenizerSHA256: String
    public var errorPolicy: String
    public var inputs: [InputFile]
    public var partitions: [[Piece]]

    public init(
        pipeline: DatasetIndex.PipelineInfo, layout: String, tokenizerSHA256: String, errorPolicy: String, inputs: [InputFile],
        partitions: [[Piece]]
    ) {
        self.pipeline = pipeline
        self.layout = layout
        self.tokenizerSHA256 = tokenizerSHA256
        self.errorPolicy = errorPolicy
        self.inputs = inputs
        self.partitions = partitions
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, layout, inputs, partitions
        case tokenizerSHA256 = "tokenizer_sha256"
        case errorPolicy = "error_policy"
    }

    /// SHA-256 of the identity's canonical JSON: what each partition record carries, so a
    /// record from another run is never taken for one of this run's.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings, integers and arrays: encoding cannot fail.
        return SHA256.hex(Array((try? encoder.encode(self)) ?? Data()))
    }

    /// What differs from `other`, in words, for a refused resume.
    public func differences(from other: RunIdentity) -> [String] {
        var differences: [String] = []
        if self.pipeline.name != other.pipeline.name { differences.append("pipeline \(other.pipeline.name) -> \(self.pipeline.name)") }
        for key in Set(self.pipeline.options.keys).union(other.pipeline.options.keys).sorted()
        where self.pipeline.options[key] != other.pipeline.options[key] {
            differences.append("\(key) \(other.pipeline.options[key] ?? "unset") -> \(self.pipeline.options[key] ?? "unset")")
        }
        if self.layout != other.layout { differences.append("layout \(other.layout) -> \(self.layout)") }
        if self.tokenizerSHA256 != other.tokenizerSHA256 { differences.append("a different tokenizer file") }
        if self.errorPolicy != other.errorPolicy { differences.append("--on-error \(other.errorPolicy) -> \(self.errorPolicy)") }
        if self.inputs != other.inputs {
            let before = Dictionary(other.inputs.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            let changed = self.inputs.filter { before[$0.path] != $0 }.map(\.path)
            let gone = Set(before.keys).subtracting(self.inputs.map(\.path))
            differences.append("inputs changed (\((changed + gone.sorted()).prefix(3).joined(separator: ", "))\(changed.count + gone.count > 3 ? ", ..." : ""))")
        } else if self.partitions != other.partitions {
            differences.append("the partitioning (--partition-mb)")
        }
        return differences
    }
}

/// A finished partition, written atomically to `.ingot/staging/part-PPPPP.done.json` once all
/// its shards are on disk: what resume keeps, and what the index is assembled from.
public struct PartitionRecord: Codable, Sendable, Equatable {
    /// The ``RunIdentity/fingerprint`` of the run that wrote it.
    public var run: String
    public var partition: Int
    public var shards: [DatasetIndex.Shard]
    public var statistics: RunStatistics
    /// Input bytes read, by path (compressed bytes for compressed files).
    public var bytesRead: [String: Int]

    public init(run: String, partition: Int, shards: [DatasetIndex.Shard], statistics: RunStatistics, bytesRead: [String: Int]) {
        self.run = run
        self.partition = partition
        self.shards = shards
        self.statistics = statistics
        self.bytesRead = bytesRead
    }

    enum CodingKeys: String, CodingKey {
        case run, partition, shards, statistics
        case bytesRead = "bytes_read"
    }
}
