import IngotCore
import Logging
import Testing

/// Toy stages over integers: what the result builder composes, in which order values flow and
/// stages flush, and what the chain describes.
@Suite struct StageBuilderTests {
    struct Add: Stage {
        let amount: Int
        func process(_ input: consuming Int, context: StageContext, emit: (consuming Int) throws -> Void) throws {
            try emit(input + self.amount)
        }
        func describe(_ description: inout StageDescription) {
            description.record("add_\(self.amount)", true)
        }
    }

    /// Holds everything until the end of the partition, then emits it: checks flush order.
    struct Hold: Stage {
        var held: [Int] = []
        mutating func process(_ input: consuming Int, context: StageContext, emit: (consuming Int) throws -> Void) throws {
            self.held.append(input)
        }
        mutating func finish(context: StageContext, emit: (consuming Int) throws -> Void) throws {
            for value in self.held { try emit(value) }
            self.held = []
        }
    }

    struct DropOdd: Stage {
        func process(_ input: consuming Int, context: StageContext, emit: (consuming Int) throws -> Void) throws {
            if input % 2 != 0 {
                context.drop("odd")
            } else {
                context.count("even_seen")
                try emit(input)
            }
        }
        func describe(_ description: inout StageDescription) {
            description.declareDropReason("odd")
            description.declareCounter("even_seen")
        }
    }

    struct Describe: Stage {
        let key: String
        let value: Int
        func process(_ input: consuming Int, context: StageContext, emit: (consuming Int) throws -> Void) throws {
            try emit(input)
        }
        func describe(_ description: inout StageDescription) {
            description.record(self.key, self.value)
        }
    }

    static func run<S: Stage<Int, Int>>(_ stage: S, _ inputs: [Int]) throws -> (outputs: [Int], context: StageContext) {
        var stage = stage
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
        var outputs: [Int] = []
        for input in inputs { try stage.process(input, context: context) { outputs.append($0) } }
        try stage.finish(context: context) { outputs.append($0) }
        return (outputs, context)
    }

    @StageBuilder
    static func chain(double: Bool, filter: Bool, additions: [Int]) -> some Stage<Int, Int> {
        Add(amount: 1)
        if filter {
            DropOdd()
        }
        if double {
            Add(amount: 100)
        } else {
            Add(amount: 1000)
        }
        for amount in additions {
            Add(amount: amount)
        }
        Hold()
    }

    @Test func ifElseOptionalAndForCompose() throws {
        let plain = try Self.run(Self.chain(double: false, filter: false, additions: []), [1, 2, 3])
        #expect(plain.outputs == [1002, 1003, 1004])
        let all = try Self.run(Self.chain(double: true, filter: true, additions: [10, 20]), [1, 2, 3, 4])
        // 1+1=2 (even, kept) 2+1=3 (odd, dropped) 3+1=4 4+1=5: then +100 +10 +20, held until finish.
        #expect(all.outputs == [132, 134])
        #expect(all.context.statistics.dropped == ["odd": 2])
        #expect(all.context.statistics.counters == ["even_seen": 2])
    }

    @Test func describeVisitsOnlyTheStagesPresent() {
        var description = StageDescription()
        Self.chain(double: true, filter: true, additions: [7]).describe(&description)
        #expect(description.options == ["add_1": "true", "add_100": "true", "add_7": "true"])
        #expect(description.counters == ["even_seen"])
        #expect(description.dropReasons == ["odd"])
        var other = StageDescription()
        Self.chain(double: false, filter: false, additions: []).describe(&other)
        #expect(other.options == ["add_1": "true", "add_1000": "true"])
        #expect(!description.describesSameDataset(as: other))
    }

    @StageBuilder
    static func disagreeing() -> some Stage<Int, Int> {
        Describe(key: "seq_len", value: 2048)
        Describe(key: "seq_len", value: 1024)
        Describe(key: "other", value: 1)
        Describe(key: "other", value: 1)
    }

    @Test func disagreeingStagesAreConflicts() {
        var description = StageDescription()
        Self.disagreeing().describe(&description)
        #expect(description.conflicts == ["stages disagree on seq_len: 2048 and 1024"])
        #expect(description.options["other"] == "1")
    }

    /// A stage emitting several values at finish sends them through the rest of the chain before
    /// the later stages flush: nothing is reordered or lost.
    @Test func finishFlushesInOrderThroughLaterStages() throws {
        @StageBuilder
        func chain() -> some Stage<Int, Int> {
            Hold()
            Add(amount: 1)
            Hold()
        }
        #expect(try Self.run(chain(), [5, 6, 7]).outputs == [6, 7, 8])
        let loop = try Self.run(Self.chain(double: false, filter: false, additions: [1, 2, 3]), Array(0..<100))
        #expect(loop.outputs == (0..<100).map { $0 + 1 + 1000 + 6 })
    }
}

@Suite struct RunStatisticsTests {
    @Test func accountingCoversWrittenSkippedAndDropped() throws {
        var s = RunStatistics()
        s.documentsRead = 10
        s.documentsWritten = 6
        s.skipped = ["malformed_json": 1]
        s.dropped = ["too_short": 3]
        try s.checkAccounting("partition 0")
        s.dropped["too_short"] = 2
        #expect(throws: IngotError.self) { try s.checkAccounting("partition 0") }
    }

    @Test func mergeAddsEveryCounter() {
        var a = RunStatistics()
        a.dropped = ["x": 1]
        a.counters = ["trained_tokens": 5]
        var b = RunStatistics()
        b.dropped = ["x": 2, "y": 1]
        b.counters = ["trained_tokens": 7, "examples": 1]
        a.merge(b)
        #expect(a.dropped == ["x": 3, "y": 1])
        #expect(a.counters == ["trained_tokens": 12, "examples": 1])
    }
}
