import Synchronization

/// The piece caches of encoders that have finished (``Tokenizer/Encoder/recycle()``), handed to
/// the next encoders made: a worker that builds its stages afresh for every partition keeps
/// tokenizing with a warm cache. Caches hold only what the model computes from a piece, so a
/// warm one changes no id.
final class EncoderCaches: Sendable {
    struct Cache: Sendable {
        var table: PieceCache
        var ids: [UInt32]
        var shortPieces: ShortPieceCache
    }

    private let stock = Mutex<[Cache]>([])
    /// More than a machine's workers would keep: past this, a returned cache is dropped.
    private static let maximumKept = 64

    func take() -> Cache? {
        self.stock.withLock { $0.popLast() }
    }

    func put(_ cache: Cache) {
        self.stock.withLock { stock in
            if stock.count < Self.maximumKept { stock.append(cache) }
        }
    }
}
