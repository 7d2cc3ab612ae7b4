/// A unit of work: a contiguous run of the corpus, fixed by the input and the partition size,
/// never by the worker count. Shards are named by partition, so any number of workers (or a
/// cluster's job array) produces the same files.
public struct CorpusPartition: Sendable, Hashable {
    /// A byte range of one file that starts and ends at line boundaries.
    public struct Segment: Sendable, Hashable {
        public var file: CorpusFile
        /// Byte range within the file (the whole file for unsplittable formats).
        public var range: Range<Int>
        /// 1-based line number of the segment's first line.
        public var firstLine: Int

        public init(file: CorpusFile, range: Range<Int>, firstLine: Int) {
            self.file = file
            self.range = range
            self.firstLine = firstLine
        }

        public var isWholeFile: Bool { self.range.lowerBound == 0 && self.range.upperBound >= self.file.size }
    }

    public var index: Int
    public var segments: [Segment]

    public init(index: Int, segments: [Segment]) {
        self.index = index
        self.segments = segments
    }

    /// Input bytes this partition covers (compressed size for compressed files).
    public var byteCount: Int { self.segments.reduce(0) { $0 + $1.range.count } }
}
