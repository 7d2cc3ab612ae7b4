import Synchronization

/// A multi-producer, single-consumer async channel with a bounded buffer measured in weight
/// (bytes, tokens, rows: whatever the caller says an element costs).
///
/// `send` suspends while the buffer is full, so a slow consumer slows the producers down instead
/// of letting memory grow: this is the runner's back-pressure. An element heavier than the whole
/// capacity is still admitted when the buffer is empty, so nothing deadlocks.
///
/// Each producer's elements arrive in the order it sent them. Cancelling a waiting task resumes
/// it with `CancellationError`; ``fail(_:)`` wakes everyone with the error.
public final class BoundedChannel<Element: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var buffer: [(element: Element, weight: Int)] = []
        var head = 0
        var bufferedWeight = 0
        var peakWeight = 0
        var finished = false
        var failure: (any Error)?
        var consumer: CheckedContinuation<Void, any Error>?
        var producers: [Waiter] = []
        var nextID: UInt64 = 0

        var isEmpty: Bool { self.head == self.buffer.count }

        mutating func popFirst() -> (element: Element, weight: Int)? {
            guard !self.isEmpty else { return nil }
            let item = self.buffer[self.head]
            self.head += 1
            // Compact once the dead prefix dominates, so the array does not grow forever.
            if self.head > 64 && self.head * 2 > self.buffer.count {
                self.buffer.removeFirst(self.head)
                self.head = 0
            }
            self.bufferedWeight -= item.weight
            return item
        }
    }

    private enum SendOutcome {
        case sent(CheckedContinuation<Void, any Error>?)
        case full
        case failed(any Error)
    }

    private enum ReceiveOutcome {
        case element(Element, [Waiter])
        case finished
        case failed(any Error)
        case wait
    }

    public let capacity: Int
    private let state: Mutex<State>

    /// - Parameter capacity: the most weight the buffer holds before `send` suspends.
    public init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        self.state = Mutex(State())
    }

    /// The largest weight the buffer ever held.
    public var peakWeight: Int { self.state.withLock { $0.peakWeight } }

    /// Enqueues `element`, suspending while the buffer has no room for `weight`.
    public func send(_ element: Element, weight: Int) async throws {
        precondition(weight >= 0)
        while true {
            try Task.checkCancellation()
            let outcome: SendOutcome = self.state.withLock { state in
                if let failure = state.failure { return .failed(failure) }
                precondition(!state.finished, "send after finish")
                guard state.isEmpty || state.bufferedWeight + weight <= self.capacity else { return .full }
                state.buffer.append((element, weight))
                state.bufferedWeight += weight
                state.peakWeight = max(state.peakWeight, state.bufferedWeight)
                let consumer = state.consumer
                state.consumer = nil
                return .sent(consumer)
            }
            switch outcome {
            case .sent(let consumer):
                consumer?.resume()
                return
            case .failed(let error):
                throw error
            case .full:
                try await self.waitForRoom(weight: weight)
            }
        }
    }

    private func waitForRoom(weight: Int) async throws {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = self.state.withLock { state in
                    if let failure = state.failure { return .some(failure) }
                    if Task.isCancelled { return .some(CancellationError()) }
                    // Room may have appeared between the failed attempt and now: re-check under the
                    // lock, so a wake-up cannot be missed.
                    if state.isEmpty || state.bufferedWeight + weight <= self.capacity { return .some(nil) }
                    state.producers.append(Waiter(id: id, continuation: continuation))
                    return .none
                }
                if let resumeNow {
                    if let error = resumeNow { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                guard let index = state.producers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.producers.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Ends the stream: the consumer drains what is buffered, then receives `nil`.
    public func finish() {
        let consumer = self.state.withLock { state in
            state.finished = true
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        consumer?.resume()
    }

    /// Fails the channel: every waiting and future `send`/`next` throws `error`.
    public func fail(_ error: any Error) {
        let (consumer, producers) = self.state.withLock { state in
            if state.failure == nil { state.failure = error }
            let consumer = state.consumer
            let producers = state.producers
            state.consumer = nil
            state.producers = []
            return (consumer, producers)
        }
        consumer?.resume(throwing: error)
        for producer in producers { producer.continuation.resume(throwing: error) }
    }

    /// The next element, or `nil` once the channel is finished and drained. One consumer only.
    public func next() async throws -> Element? {
        while true {
            try Task.checkCancellation()
            let outcome: ReceiveOutcome = self.state.withLock { state in
                if let failure = state.failure { return .failed(failure) }
                if let item = state.popFirst() {
                    // Wake every waiting producer; each retries and re-waits if it still does not fit.
                    let producers = state.producers
                    state.producers = []
                    return .element(item.element, producers)
                }
                return state.finished ? .finished : .wait
            }
            switch outcome {
            case .element(let element, let producers):
                for producer in producers { producer.continuation.resume() }
                return element
            case .finished:
                return nil
            case .failed(let error):
                throw error
            case .wait:
                try await self.waitForElement()
            }
        }
    }

    private func waitForElement() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = self.state.withLock { state in
                    if let failure = state.failure { return .some(failure) }
                    if Task.isCancelled { return .some(CancellationError()) }
                    if !state.isEmpty || state.finished { return .some(nil) }
                    precondition(state.consumer == nil, "BoundedChannel has a single consumer")
                    state.consumer = continuation
                    return .none
                }
                if let resumeNow {
                    if let error = resumeNow { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let consumer = self.state.withLock { state in
                let consumer = state.consumer
                state.consumer = nil
                return consumer
            }
            consumer?.resume(throwing: CancellationError())
        }
    }
}
