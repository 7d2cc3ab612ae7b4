#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: what was attempted, on which path, and the C library's `errno`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation, as a verb phrase ("open", "read", "rename to 'x'").
    public var operation: String
    public var path: String?
    /// The C library's error number.
    public var code: Int32

    public init(operation: String, path: String?, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The C library's message for ``code`` (`strerror`).
    public var reason: String { String(cString: strerror(self.code)) }

    /// `cannot open 'corpus.jsonl': No such file or directory`
    public var description: String {
        if let path = self.path { return "cannot \(self.operation) '\(path)': \(self.reason)" }
        return "cannot \(self.operation): \(self.reason)"
    }

    /// The file does not exist (ENOENT).
    public var isNotFound: Bool { self.code == ENOENT }
    /// Another process holds a lock (EWOULDBLOCK).
    public var isWouldBlock: Bool { self.code == EWOULDBLOCK || self.code == EAGAIN }
}
