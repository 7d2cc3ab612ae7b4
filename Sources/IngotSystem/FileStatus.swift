#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about a file: enough to notice that it changed, and to tell files from
/// directories.
public struct FileStatus: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case regular, directory, symbolicLink, other }

    public var kind: Kind
    /// Size in bytes.
    public var size: Int
    /// Last modification, in nanoseconds since the epoch.
    public var modificationTime: Int64
    /// Device and inode: the file's identity, whatever path reaches it.
    public var device: UInt64
    public var inode: UInt64

    init(_ s: stat) {
        switch s.st_mode & S_IFMT {
        case S_IFREG: self.kind = .regular
        case S_IFDIR: self.kind = .directory
        case S_IFLNK: self.kind = .symbolicLink
        default: self.kind = .other
        }
        self.size = Int(s.st_size)
        #if canImport(Darwin)
        self.modificationTime = Int64(s.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(s.st_mtimespec.tv_nsec)
        #else
        self.modificationTime = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
        #endif
        self.device = UInt64(truncatingIfNeeded: s.st_dev)
        self.inode = UInt64(truncatingIfNeeded: s.st_ino)
    }
}
