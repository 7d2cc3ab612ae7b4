/// Where a piece of input came from: a file and a 1-based line number.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// 1-based line number; 0 when the location is the whole file.
    public var line: Int

    public init(path: String, line: Int) {
        self.path = path
        self.line = line
    }

    public var description: String {
        self.line > 0 ? "\(self.path):\(self.line)" : self.path
    }
}
