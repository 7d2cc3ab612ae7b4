import IngotCore
import Testing

@Suite struct BoundedChannelTests {
    @Test func producersBlockWhenFullAndOrderIsKeptPerProducer() async throws {
        let channel = BoundedChannel<(producer: Int, value: Int)>(capacity: 10)
        let received = try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask {
                    for value in 0..<500 { try await channel.send((producer, value), weight: 3) }
                }
            }
            var received: [[Int]] = Array(repeating: [], count: 4)
            var count = 0
            while count < 2000, let item = try await channel.next() {
                received[item.producer].append(item.value)
                count += 1
            }
            try await group.waitForAll()
            channel.finish()
            #expect(try await channel.next() == nil)
            return received
        }
        for values in received { #expect(values == Array(0..<500)) }
        #expect(channel.peakWeight <= 10)
    }

    @Test func failureWakesBlockedProducers() async throws {
        struct Boom: Error {}
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(1, weight: 1)
        await #expect(throws: Boom.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await channel.send(2, weight: 1) }  // blocks: the buffer is full
                try await Task.sleep(for: .milliseconds(50))
                channel.fail(Boom())
                try await group.waitForAll()
            }
        }
    }

    @Test func cancellationWakesABlockedProducer() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(1, weight: 1)
        let outcome = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await channel.send(2, weight: 1)
                    return false
                } catch {
                    return error is CancellationError
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
            group.cancelAll()
            return await group.next()!
        }
        #expect(outcome)
    }

    @Test func anElementHeavierThanTheCapacityStillPasses() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        try await channel.send(7, weight: 100)
        #expect(try await channel.next() == 7)
    }
}
