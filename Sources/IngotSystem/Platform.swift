// The only place Ingot imports the C library. Every other module reaches the operating system
// through the types of this module, which retry on EINTR and turn errno into `SystemError`.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("IngotSystem supports Linux (Glibc, Musl) and Darwin")
#endif

/// Calls `body` until it does not fail with EINTR; returns its result, or throws the errno of
/// its failure (a negative result) as `SystemError`.
@inline(__always)
func retryingOnInterrupt<T: BinaryInteger>(
    _ operation: @autoclosure () -> String,
    path: String?,
    _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation: operation(), path: path, code: code)
    }
}
