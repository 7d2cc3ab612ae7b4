/// The RLE / bit-packing hybrid of Parquet's levels and dictionary indices: runs of one repeated
/// value, and groups of 8 values packed `bitWidth` bits each, least significant bit first.
enum RLEHybrid {
    /// Decodes `count` values from `bytes[start..<end]` into `values`.
    static func decode(
        _ bytes: [UInt8], from start: Int, to end: Int, bitWidth: Int, count: Int, into values: inout [UInt32]
    ) throws(ParquetError) {
        guard bitWidth <= 32, start <= end, end <= bytes.count else { throw ParquetError("malformed RLE/bit-packed data") }
        values.reserveCapacity(values.count + count)
        let target = values.count + count
        if bitWidth == 0 {
            values.append(contentsOf: repeatElement(0, count: count))
            return
        }
        let byteWidth = (bitWidth + 7) / 8
        var at = start
        while values.count < target {
            // The run header: a ULEB128 varint.
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard at < end else { throw ParquetError("RLE/bit-packed data ends before its \(count) values") }
                let b = bytes[at]
                at += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { throw ParquetError("malformed RLE/bit-packed run header") }
            }
            if header & 1 == 0 {
                let run = header >> 1
                guard at + byteWidth <= end else { throw ParquetError("RLE/bit-packed data ends inside a run") }
                var value: UInt32 = 0
                for k in 0..<byteWidth { value |= UInt32(bytes[at + k]) << (8 * k) }
                at += byteWidth
                let n = Int(min(run, UInt64(target - values.count)))
                values.append(contentsOf: repeatElement(value, count: n))
            } else {
                let groups = header >> 1
                guard groups <= UInt64(end - at) else { throw ParquetError("RLE/bit-packed data ends inside a packed run") }
                let packedBytes = Int(groups) * bitWidth
                guard at + packedBytes <= end else { throw ParquetError("RLE/bit-packed data ends inside a packed run") }
                let n = min(Int(groups) * 8, target - values.count)
                BitUnpacker.unpack(bytes, from: at, bitWidth: bitWidth, count: n) { values.append(UInt32(truncatingIfNeeded: $0)) }
                at += packedBytes
            }
        }
    }
}

/// Reads values packed `bitWidth` bits each, least significant bit first.
enum BitUnpacker {
    /// Calls `emit` with `count` values from `bytes[start...]`; the caller checked the bytes are there.
    static func unpack(_ bytes: [UInt8], from start: Int, bitWidth: Int, count: Int, _ emit: (UInt64) -> Void) {
        guard bitWidth > 0 else {
            for _ in 0..<count { emit(0) }
            return
        }
        let mask: UInt64 = bitWidth == 64 ? ~0 : (1 << UInt64(bitWidth)) - 1
        var bit = 0
        for _ in 0..<count {
            var value: UInt64 = 0
            var got = 0
            while got < bitWidth {
                let byte = bytes[start + (bit >> 3)]
                let offset = bit & 7
                let take = min(8 - offset, bitWidth - got)
                value |= UInt64((byte >> UInt8(offset)) & UInt8((1 << take) - 1)) << UInt64(got)
                got += take
                bit += take
            }
            emit(value & mask)
        }
    }
}

/// DELTA_BINARY_PACKED: blocks of miniblocks holding bit-packed deltas from a minimum, after a
/// header with the block size, miniblock count, value count and first value.
enum DeltaBinaryPacked {
    /// Decodes every value at `bytes[start...]` into `values`; returns where the encoding ends.
    static func decode(_ bytes: [UInt8], from start: Int, into values: inout [Int64]) throws(ParquetError) -> Int {
        var at = start
        func varint() throws(ParquetError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard at < bytes.count else { throw ParquetError("DELTA_BINARY_PACKED data ends early") }
                let b = bytes[at]
                at += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                guard shift < 64 else { throw ParquetError("malformed DELTA_BINARY_PACKED varint") }
            }
        }
        func zigzag() throws(ParquetError) -> Int64 {
            let v = try varint()
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }
        let blockSize = try varint()
        let miniblocks = try varint()
        let total = try varint()
        var value = try zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 16, miniblocks > 0, blockSize % miniblocks == 0,
            (blockSize / miniblocks) % 32 == 0
        else { throw ParquetError("malformed DELTA_BINARY_PACKED header (block \(blockSize), miniblocks \(miniblocks))") }
        // Every value takes at least a bit; more than the bytes could hold is corrupt.
        guard total <= UInt64(bytes.count - at) * 8 + 1 else { throw ParquetError("DELTA_BINARY_PACKED claims more values than its page holds") }
        let perMiniblock = Int(blockSize / miniblocks)
        values.reserveCapacity(values.count + Int(total))
        guard total > 0 else { return at }
        values.append(value)
        var left = Int(total) - 1
        while left > 0 {
            let minDelta = try zigzag()
            guard at + Int(miniblocks) <= bytes.count else { throw ParquetError("DELTA_BINARY_PACKED data ends early") }
            let widths = Array(bytes[at..<at + Int(miniblocks)])
            at += Int(miniblocks)
            for width in widths where left > 0 {
                guard width <= 64 else { throw ParquetError("DELTA_BINARY_PACKED bit width \(width) is over 64") }
                let size = perMiniblock * Int(width) / 8
                guard at + size <= bytes.count else { throw ParquetError("DELTA_BINARY_PACKED data ends early") }
                let n = min(perMiniblock, left)
                BitUnpacker.unpack(bytes, from: at, bitWidth: Int(width), count: n) { delta in
                    value = value &+ minDelta &+ Int64(bitPattern: delta)
                    values.append(value)
                }
                left -= n
                at += size
            }
        }
        return at
    }
}
