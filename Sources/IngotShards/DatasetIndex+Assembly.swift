import IngotCore

extension DatasetIndex {
    /// The index of a dataset with `schema` and `provenance` before any partition is added: no
    /// shards, no statistics, nothing read.
    public init(schema: ShardSchema, provenance: Provenance) {
        var columns: [String: DatasetIndex.Column] = [:]
        for column in schema.columns { columns[column.name] = .init(dtype: schema.dtype(of: column)) }
        self.init(
            seqLen: schema.seqLen,
            columns: columns,
            compression: .init(
                codec: schema.compression.zstdLevel == nil ? "none" : "zstd",
                level: schema.compression.zstdLevel.map(Int.init),
                rowsPerFrame: schema.rowsPerFrame),
            vocabularySize: provenance.vocabularySize,
            specialTokens: provenance.specialTokens,
            tokenizer: provenance.tokenizer,
            pipeline: provenance.pipeline,
            inputs: provenance.inputs.map { .init(path: $0.path, bytes: $0.bytes, bytesRead: 0) },
            shards: [],
            totalRows: 0,
            statistics: RunStatistics())
    }

    /// This index with the shards, statistics and bytes read of `records` added, in the order
    /// given (partition order for a dataset).
    public func adding(_ records: [PartitionRecord]) -> DatasetIndex {
        var index = self
        var bytesRead: [String: Int] = [:]
        for record in records {
            index.statistics.merge(record.statistics)
            bytesRead.merge(record.bytesRead, uniquingKeysWith: +)
            index.shards += record.shards
            index.totalRows += record.shards.reduce(0) { $0 + $1.rows }
        }
        for i in index.inputs.indices { index.inputs[i].bytesRead += bytesRead[index.inputs[i].path] ?? 0 }
        return index
    }
}
