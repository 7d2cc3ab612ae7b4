import IngotCompression
public import IngotCore
import Synchronization

/// Compresses the frames ``WriteShards`` leaves raw, reusing zstd contexts across frames and tasks.
///
/// Compression is most of the work after tokenizing, and frames are independent: compressed
/// where a writer stage makes them, at the end of a partition one task would compress a best-fit
/// packer's whole final window (thousands of rows) while the other cores wait. The runner
/// compresses frames on several tasks at once as the stages emit them; the writer compresses any
/// frame still raw.
public final class FrameCompressor: Sendable {
    /// One zstd context, used by one task at a time: taken out of `idle` under the lock and
    /// put back when done.
    private final class Context: @unchecked Sendable {
        let zstd: ZstdCompressor

        init(level: Int32) throws(IngotError) {
            do {
                self.zstd = try ZstdCompressor(level: level)
            } catch {
                throw IngotError(.compression, "cannot set up zstd level \(level)", cause: error)
            }
        }
    }

    private let idle = Mutex<[Context]>([])

    public init() {}

    /// Compresses `frame`'s columns if they are still raw.
    public func compress(_ frame: inout ShardFrame) throws(IngotError) {
        guard let level = frame.pendingCompressionLevel else { return }
        let context = try self.context(level: level)
        defer { self.idle.withLock { $0.append(context) } }
        for i in frame.columns.indices {
            let raw = frame.columns[i].bytes
            do {
                frame.columns[i].bytes = try raw.withUnsafeBytes { (buffer) throws(CompressionError) in try context.zstd.compress(buffer) }
            } catch {
                throw IngotError(.compression, "cannot compress \(frame.columns[i].column) frame", cause: error)
            }
        }
        frame.pendingCompressionLevel = nil
    }

    private func context(level: Int32) throws(IngotError) -> Context {
        if let context = self.idle.withLock({ idle in idle.firstIndex { $0.zstd.level == level }.map { idle.remove(at: $0) } }) {
            return context
        }
        return try Context(level: level)
    }
}
