import IngotCore

/// One input file of a corpus, with the format that reads it and what the file looked like when
/// the run found it (so a file that changes while it is read can be caught).
public struct CorpusFile: Sendable {
    /// The path as given or found (a symbolic link stays a link: it is read through).
    public var path: String
    /// Size in bytes of the file the path leads to.
    public var size: Int
    /// Last modification of that file, in nanoseconds since the epoch.
    public var modificationTime: Int64
    /// The file's device and inode when it was found (nil when not known).
    public var identity: [UInt64]?
    public var format: any InputFormat

    public init(path: String, size: Int, modificationTime: Int64 = 0, identity: [UInt64]? = nil, format: any InputFormat) {
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
        self.identity = identity
        self.format = format
    }

    /// The whole file as one piece.
    public var wholePiece: FilePiece { FilePiece(file: self, range: 0..<self.size, firstRecord: 1) }
}

/// A contiguous part of one file that a format reads on its own: a byte range starting and
/// ending at record boundaries (lines, row groups), or the whole file.
public struct FilePiece: Sendable {
    public var file: CorpusFile
    /// Byte range within the file.
    public var range: Range<Int>
    /// 1-based number of the piece's first record (its line, for line-framed formats).
    public var firstRecord: Int

    public init(file: CorpusFile, range: Range<Int>, firstRecord: Int) {
        self.file = file
        self.range = range
        self.firstRecord = firstRecord
    }

    public var isWholeFile: Bool { self.range.lowerBound == 0 && self.range.upperBound >= self.file.size }
}
