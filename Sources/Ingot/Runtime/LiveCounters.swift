import Synchronization

/// Counters the workers bump as they go, read by the progress reporter: lock-free, approximate
/// while the run is in flight, exact at the end.
final class LiveCounters: Sendable {
    let inputBytes = Atomic<Int>(0)
    let documents = Atomic<Int>(0)
    let tokens = Atomic<Int>(0)
    let rows = Atomic<Int>(0)
    let nextPartition = Atomic<Int>(0)
    private let failure = Mutex<(any Error)?>(nil)

    /// Keeps the first error of the run: later ones are usually cancellations it caused.
    func recordFailure(_ error: any Error) {
        self.failure.withLock { if $0 == nil { $0 = error } }
    }

    var firstFailure: (any Error)? { self.failure.withLock { $0 } }

    func claimPartition() -> Int {
        self.nextPartition.add(1, ordering: .relaxed).oldValue
    }
}
