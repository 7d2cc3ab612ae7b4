public import IngotCore

extension DatasetIndex {
    /// Checks every value a reader relies on, so a damaged or hand-edited index is refused with a
    /// sentence instead of producing wrong rows (or a division by zero in a reader).
    public func validate() throws(IngotError) {
        func fail(_ message: String) -> IngotError { IngotError(.shardFormat, message) }

        guard self.seqLen > 0 else { throw fail("seq_len \(self.seqLen) must be positive") }
        if let recorded = self.pipeline.options["seq_len"], recorded != String(self.seqLen) {
            throw fail("seq_len \(self.seqLen) differs from the \(recorded) the pipeline recorded")
        }
        guard self.vocabularySize > 0, self.vocabularySize <= 1 << 32 else {
            throw fail("vocab_size \(self.vocabularySize) is not a vocabulary size")
        }
        for (name, id) in [("bos", self.specialTokens.bos), ("eos", self.specialTokens.eos), ("pad", self.specialTokens.pad)] {
            if let id, Int(id) >= self.vocabularySize {
                throw fail("special token \(name) = \(id) is outside the vocabulary (\(self.vocabularySize))")
            }
        }

        // Columns: the two every dataset has, and the optional loss mask, in their dtypes.
        let allowed: [String: Set<ShardSchema.DType>] = [
            "input_ids": [.uint16, .uint32], "segment_ids": [.uint16, .uint32], "loss_mask": [.uint8],
        ]
        for required in ["input_ids", "segment_ids"] where self.columns[required] == nil {
            throw fail("column '\(required)' is missing")
        }
        for (name, column) in self.columns {
            guard let dtypes = allowed[name] else { throw fail("unknown column '\(name)'") }
            guard dtypes.contains(column.dtype) else { throw fail("column '\(name)' cannot be \(column.dtype.rawValue)") }
        }
        if self.columns["input_ids"]?.dtype == .uint16 && self.vocabularySize > 1 << 16 {
            throw fail("input_ids are uint16 but vocab_size is \(self.vocabularySize)")
        }
        if self.columns["segment_ids"]?.dtype == .uint16 && self.seqLen >= 1 << 16 {
            throw fail("segment_ids are uint16 but seq_len is \(self.seqLen)")
        }

        let codec = self.compression.codec
        guard codec == "zstd" || codec == "none" else { throw fail("unknown codec '\(codec)'") }
        guard self.compression.rowsPerFrame > 0 else { throw fail("rows_per_frame \(self.compression.rowsPerFrame) must be positive") }
        if codec == "zstd" {
            guard let level = self.compression.level, (1...22).contains(level) else { throw fail("zstd level must be 1 to 22") }
        }
        let compression: ShardSchema.Compression = codec == "zstd" ? .zstd(level: Int32(self.compression.level!)) : .none

        // Shards: named for their partition and position, in order, each with one file per column.
        var total = 0
        var previous: (partition: Int, shard: Int)?
        for entry in self.shards {
            guard let (partition, shard) = Self.parseShardName(entry.name), partition == entry.partition else {
                throw fail("shard '\(entry.name)' (partition \(entry.partition)) is not named part-PPPPP-SSSS for its partition")
            }
            if let previous {
                let next = partition == previous.partition ? shard == previous.shard + 1 : partition > previous.partition && shard == 0
                guard next else { throw fail("shard '\(entry.name)' is out of order, duplicated, or follows a missing shard") }
            } else {
                guard shard == 0 else { throw fail("shard '\(entry.name)' follows a missing shard") }
            }
            previous = (partition, shard)
            guard entry.rows >= 0 else { throw fail("shard '\(entry.name)' has \(entry.rows) rows") }
            guard Set(entry.files.keys) == Set(self.columns.keys) else {
                throw fail("shard '\(entry.name)' has columns \(entry.files.keys.sorted()), the index declares \(self.columns.keys.sorted())")
            }
            for (name, file) in entry.files {
                let column = ShardColumn.named(name)!
                let expected = DatasetWriter.fileName(partition: partition, shard: shard, column: column, compression: compression)
                guard file.file == expected else { throw fail("shard '\(entry.name)' lists '\(file.file)' as its \(name), expected '\(expected)'") }
                guard file.sha256.utf8.count == 64 else { throw fail("'\(file.file)' has a malformed sha256") }
                let width = self.columns[name]!.dtype.byteWidth
                if codec == "none" {
                    guard file.frames == nil, file.bytes == entry.rows * self.seqLen * width else {
                        throw fail("'\(file.file)' has \(file.bytes) bytes, expected \(entry.rows) rows x \(self.seqLen) x \(width)")
                    }
                } else {
                    let frames = (entry.rows + self.compression.rowsPerFrame - 1) / self.compression.rowsPerFrame
                    guard file.frames == frames else {
                        throw fail("'\(file.file)' lists \(file.frames.map(String.init) ?? "no") frames, expected \(frames) for \(entry.rows) rows")
                    }
                    guard file.bytes >= SeekTable.size(frames: frames) else { throw fail("'\(file.file)' is too small for its seek table") }
                }
            }
            total += entry.rows
        }
        guard total == self.totalRows else { throw fail("shards hold \(total) rows, total_rows is \(self.totalRows)") }
        guard total == self.statistics.rows else { throw fail("shards hold \(total) rows, the statistics say \(self.statistics.rows)") }
        do {
            try self.statistics.checkAccounting("the statistics")
        } catch {
            throw fail(error.message)
        }
        for input in self.inputs where input.bytesRead != input.bytes || input.bytes < 0 {
            throw fail("input '\(input.path)' had \(input.bytes) bytes but \(input.bytesRead) were read")
        }
    }

    /// (partition, shard) of a name `part-PPPPP-SSSS`, or nil.
    static func parseShardName(_ name: String) -> (Int, Int)? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "part", let partition = Int(parts[1]), let shard = Int(parts[2]),
            name == DatasetWriter.shardName(partition: partition, shard: shard)
        else { return nil }
        return (partition, shard)
    }
}
