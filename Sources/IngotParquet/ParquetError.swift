/// A Parquet file Ingot cannot read: malformed, truncated, or using a feature it does not
/// support. The message says which; the format adds the file's path.
public struct ParquetError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
