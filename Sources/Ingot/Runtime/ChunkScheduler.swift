import IngotCorpus
import Synchronization

/// Shares out the chunks of a run's partitions so that every core works whatever the number of
/// partitions, and puts each partition's results back in input order.
///
/// A pipeline splits where its stages stop processing inputs independently (``StageSplit``):
/// each worker runs its own copy of the head (read, tokenize, pad) on whichever chunk it claims,
/// and a partition's tail (pack, write shards), built once for that partition, takes the heads'
/// outputs strictly in chunk order. Whoever finishes the chunk the tail waits for runs the tail
/// over every consecutive chunk that is ready, so no thread sits in between and the output is
/// byte for byte a single worker's.
///
/// While unopened partitions remain, a worker opens one whenever fewer are being read than there
/// are workers, so a run of many partitions works as before; when none remain, workers join the open
/// ones with the fewest chunks in flight, so one large file keeps every core busy. Chunks claimed
/// and not yet through their tail are bounded (four times the workers), which bounds memory when
/// one chunk is slow (a book-sized document) and the ones after it are done. Twice the workers was
/// too few: each time a best-fit window fills, the tail packs and compresses for some 20 ms, and
/// the other workers ran into the bound and waited.
final class ChunkScheduler<Output: Sendable, Tail: Stage>: Sendable where Tail.Input == Output {
    /// A partition's tail and its context: used by one worker at a time, the one that set
    /// `draining` under the lock, so it crosses threads only through that hand-over.
    final class TailSlot: @unchecked Sendable {
        var tail: Tail
        let context: StageContext

        init(tail: Tail, context: StageContext) {
            self.tail = tail
            self.context = context
        }
    }

    /// What a head made of one chunk, or the error that stopped it: raised when the tail reaches
    /// the chunk, so a run reports the first bad input in input order whichever worker met it.
    struct HeadResult: Sendable {
        var values: [Output]
        var statistics: RunStatistics
        var failure: (any Error)? = nil
    }

    private struct OpenPartition {
        var reader: PartitionReader?
        var chunksClaimed = 0
        var exhausted = false
        var bytesRead: [String: Int] = [:]
        var nextForTail = 0
        var ready: [Int: HeadResult] = [:]
        var draining = false
        var finished = false
        var slot: TailSlot?
        /// The heads' statistics, merged as they finish.
        var headStatistics = RunStatistics()

        var inFlight: Int { self.chunksClaimed - self.nextForTail }
    }

    private struct State: ~Copyable {
        var nextToOpen = 0
        var open: [Int: OpenPartition] = [:]
        var inFlight = 0
    }

    enum Claim: Sendable {
        /// Run the head on chunk `index` of partition `position` (handed over in `chunk`).
        case chunk(position: Int, index: Int)
        /// Partition `position` has no more chunks: its tail may be able to finish.
        case exhausted(position: Int)
        /// Every open partition is at its limit: try again shortly.
        case wait
        /// No chunk is left to claim.
        case done
    }

    /// Work for the tail of one partition, taken out under the lock.
    struct TailWork: Sendable {
        let slot: TailSlot?
        var results: [HeadResult]
        /// When set, the partition is complete once these results pass: finish it. Holds the
        /// heads' statistics and the bytes read.
        let completion: (statistics: RunStatistics, bytesRead: [String: Int])?
    }

    let partitions: [CorpusPartition]
    private let reading: ReadOptions
    private let maximumOpen: Int
    private let maximumInFlight: Int
    private let state = Mutex(State())

    init(partitions: [CorpusPartition], reading: ReadOptions, workers: Int) {
        self.partitions = partitions
        self.reading = reading
        self.maximumOpen = workers
        self.maximumInFlight = 4 * workers
    }

    /// The next chunk to run a head on, put in `chunk` (an optional the caller moves it out of,
    /// so only the stages hold its bytes). Reads it under the lock: readers are sequential.
    func claim(into chunk: inout CorpusChunk?) throws(IngotError) -> Claim {
        try self.state.withLock { (state: inout State) throws(IngotError) -> Claim in
            guard state.inFlight < self.maximumInFlight else { return .wait }
            // Open another partition while workers outnumber the open ones.
            if state.nextToOpen < self.partitions.count && state.open.values.filter({ !$0.exhausted }).count < self.maximumOpen {
                let position = state.nextToOpen
                state.nextToOpen += 1
                state.open[position] = OpenPartition(reader: PartitionReader(partition: self.partitions[position], options: self.reading))
                return try Self.read(position, &state, into: &chunk)
            }
            // Else help the open partition with the fewest chunks in flight (the earliest on a tie).
            let candidates = state.open.filter { !$0.value.exhausted }
            guard let position = candidates.min(by: { ($0.value.inFlight, $0.key) < ($1.value.inFlight, $1.key) })?.key else {
                return state.nextToOpen < self.partitions.count ? .wait : .done
            }
            return try Self.read(position, &state, into: &chunk)
        }
    }

    private static func read(_ position: Int, _ state: inout State, into chunk: inout CorpusChunk?) throws(IngotError) -> Claim {
        chunk = try state.open[position]!.reader!.next()
        if chunk != nil {
            let index = state.open[position]!.chunksClaimed
            state.open[position]!.chunksClaimed += 1
            state.inFlight += 1
            return .chunk(position: position, index: index)
        }
        state.open[position]!.exhausted = true
        state.open[position]!.bytesRead = state.open[position]!.reader!.bytesRead
        state.open[position]!.reader = nil
        return .exhausted(position: position)
    }

    /// Hands in what a head made of chunk `index` of partition `position`.
    func complete(position: Int, index: Int, _ result: HeadResult) {
        self.state.withLock { state in
            state.open[position]!.headStatistics.merge(result.statistics)
            state.open[position]!.ready[index] = result
        }
    }

    /// The ready results of `position` the tail may take now, in order, or nil when there are
    /// none or another worker is running the tail. The caller must run them and then call
    /// ``release(position:slot:)``.
    func takeTailWork(position: Int) -> TailWork? {
        self.state.withLock { state -> TailWork? in
            guard var partition = state.open[position], !partition.draining, !partition.finished else { return nil }
            var results: [HeadResult] = []
            while let result = partition.ready.removeValue(forKey: partition.nextForTail) {
                results.append(result)
                partition.nextForTail += 1
            }
            state.inFlight -= results.count
            let complete = partition.exhausted && partition.nextForTail == partition.chunksClaimed
            guard !results.isEmpty || complete else {
                state.open[position] = partition
                return nil
            }
            partition.draining = true
            partition.finished = complete
            let work = TailWork(
                slot: partition.slot, results: results,
                completion: complete ? (partition.headStatistics, partition.bytesRead) : nil)
            partition.slot = nil
            state.open[position] = partition
            return work
        }
    }

    /// Gives the tail back after running it; a finished partition is forgotten.
    func release(position: Int, slot: TailSlot) {
        self.state.withLock { state in
            if state.open[position]!.finished {
                state.open[position] = nil
            } else {
                state.open[position]!.slot = slot
                state.open[position]!.draining = false
            }
        }
    }
}
