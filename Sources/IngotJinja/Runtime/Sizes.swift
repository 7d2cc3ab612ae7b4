/// Size checks made before a string or list is built from a number the template chooses
/// (`'x' * n`, `center(n)`, `indent(n)`, `batch(n)`): after building would be too late.
enum Sizes {
    /// Throws a LimitError unless `bytes` x `times` fits in `limit` (negative counts build nothing).
    static func require(_ bytes: Int, times: Int = 1, _ limit: Int) throws(JinjaError) {
        guard bytes > 0, times > 0 else { return }
        let (total, overflow) = bytes.multipliedReportingOverflow(by: times)
        guard !overflow, total <= limit else { throw JinjaError(.limit, "a value would exceed \(limit) bytes") }
    }
}
