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
            let tables = Self.matchTableLog(level: level, rawBytes: raw.count)
            do {
                frame.columns[i].bytes = try raw.withUnsafeBytes { (buffer) throws(CompressionError) in
                    try context.zstd.compress(buffer, matchTableLog: tables)
                }
            } catch {
                throw IngotError(.compression, "cannot compress \(frame.columns[i].column) frame", cause: error)
            }
        }
        frame.pendingCompressionLevel = nil
    }

    /// The match tables a column is compressed with, where zstd's own would cost the run more
    /// than they save.
    ///
    /// Frames are compressed on the cores that tokenize. At levels 3 and 4, a column of at most
    /// 128 KiB (32 rows of 2048 uint16 ids) gets zstd's double-fast match finder, with two tables
    /// of 2^17 entries at level 4: 1 MiB, a whole L2 cache of the benchmark machine, evicting the
    /// tokenizer's tables from that core at every frame. With 2^14 entries the column is 0.9%
    /// larger and a GPT-2 run 4-5% faster with one worker or two (Benchmarks/README.md). Larger
    /// columns (uint32 ids) keep zstd's choice: at level 4 its greedy finder, which the cap did
    /// not speed up (Llama 3); at level 3 the cap was not measured for them.
    static func matchTableLog(level: Int32, rawBytes: Int) -> Int32? {
        (3...4).contains(level) && rawBytes <= 128 << 10 ? 14 : nil
    }

    private func context(level: Int32) throws(IngotError) -> Context {
        if let context = self.idle.withLock({ idle in idle.firstIndex { $0.zstd.level == level }.map { idle.remove(at: $0) } }) {
            return context
        }
        return try Context(level: level)
    }
}
