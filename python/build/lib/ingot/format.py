"""The on-disk format (docs/format.md): index.json, seek tables, column files."""
import hashlib
import json
import mmap
import os
import struct

import numpy as np

FORMAT_NAME = "ingot-shards"
FORMAT_VERSION = 1
SKIPPABLE_MAGIC = 0x184D2A5E
SEEKABLE_MAGIC = 0x8F92EAB1
FOOTER_SIZE = 9
DTYPES = {"uint8": np.dtype("<u1"), "uint16": np.dtype("<u2"), "uint32": np.dtype("<u4")}


class FormatError(Exception):
    """A dataset that violates the format: missing, truncated, corrupted or inconsistent files."""


def load_index(directory):
    path = os.path.join(directory, "index.json")
    try:
        with open(path, "rb") as f:
            index = json.loads(f.read())
    except FileNotFoundError:
        raise FormatError(f"{path} is missing: not an Ingot dataset, or an incomplete one (a run that did not finish)") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT_NAME or index.get("format_version") != FORMAT_VERSION:
        raise FormatError(f"{path}: expected format {FORMAT_NAME} v{FORMAT_VERSION}")
    try:
        seq_len = index["seq_len"]
        columns = index["columns"]
        codec = index["compression"]["codec"]
        shards = index["shards"]
        if not (isinstance(seq_len, int) and seq_len > 0):
            raise FormatError(f"{path}: seq_len must be a positive integer")
        for name in ("input_ids", "segment_ids"):
            if name not in columns:
                raise FormatError(f"{path}: column {name!r} is missing")
        for name, column in columns.items():
            if column["dtype"] not in DTYPES:
                raise FormatError(f"{path}: column {name!r} has unknown dtype {column['dtype']!r}")
        if codec not in ("zstd", "none"):
            raise FormatError(f"{path}: unknown codec {codec!r}")
        total = 0
        for shard in shards:
            if set(shard["files"]) != set(columns):
                raise FormatError(f"{path}: shard {shard['name']} has columns {sorted(shard['files'])}, expected {sorted(columns)}")
            if not (isinstance(shard["rows"], int) and shard["rows"] >= 0):
                raise FormatError(f"{path}: shard {shard['name']} has an invalid row count")
            total += shard["rows"]
        if total != index["total_rows"]:
            raise FormatError(f"{path}: shards hold {total} rows but total_rows is {index['total_rows']}")
    except (KeyError, TypeError) as e:
        raise FormatError(f"{path}: malformed index ({e!r})") from None
    return index


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


class ColumnFile:
    """One column of one shard: an mmap plus, for zstd, the frame offsets from its seek table."""

    def __init__(self, directory, entry, rows, seq_len, dtype, codec, rows_per_frame, verify):
        self.path = os.path.join(directory, entry["file"])
        self.rows, self.seq_len, self.dtype = rows, seq_len, dtype
        self.codec, self.rows_per_frame = codec, rows_per_frame
        self.row_bytes = seq_len * dtype.itemsize
        try:
            size = os.path.getsize(self.path)
        except OSError:
            raise FormatError(f"{self.path} is missing") from None
        if size != entry["bytes"]:
            raise FormatError(f"{self.path} has {size} bytes, the index says {entry['bytes']} (truncated or replaced)")
        if verify and sha256_file(self.path) != entry["sha256"]:
            raise FormatError(f"{self.path} does not match its sha256 in the index (corrupted)")
        with open(self.path, "rb") as f:
            self.map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if codec == "none":
            if size != rows * self.row_bytes:
                raise FormatError(f"{self.path} has {size} bytes, expected {rows} rows x {self.row_bytes}")
            self.array = np.frombuffer(self.map, dtype=dtype).reshape(rows, seq_len) if rows else np.zeros((0, seq_len), dtype)
            return
        self._read_seek_table(size, entry.get("frames"))

    def _read_seek_table(self, size, expected_frames):
        m = self.map
        if size < 8 + FOOTER_SIZE:
            raise FormatError(f"{self.path}: too short for a seek table")
        frames, descriptor, magic = struct.unpack_from("<IBI", m, size - FOOTER_SIZE)
        if magic != SEEKABLE_MAGIC or descriptor & 0x80:
            raise FormatError(f"{self.path}: no valid seek table footer")
        table = 8 + 8 * frames + FOOTER_SIZE
        if table > size:
            raise FormatError(f"{self.path}: seek table claims {frames} frames, more than the file holds")
        start = size - table
        skip_magic, frame_size = struct.unpack_from("<II", m, start)
        if skip_magic != SKIPPABLE_MAGIC or frame_size != 8 * frames + FOOTER_SIZE:
            raise FormatError(f"{self.path}: corrupt seek table header")
        if expected_frames is not None and frames != expected_frames:
            raise FormatError(f"{self.path}: {frames} frames, the index says {expected_frames}")
        sizes = np.frombuffer(m, dtype="<u4", count=2 * frames, offset=start + 8).reshape(frames, 2).astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(sizes[:, 0])])
        self.raw_sizes = sizes[:, 1]
        if self.offsets[-1] != start:
            raise FormatError(f"{self.path}: frames hold {self.offsets[-1]} bytes, the data is {start}")
        expected_rows = [min(self.rows_per_frame, self.rows - i * self.rows_per_frame) for i in range(frames)]
        if sum(expected_rows) != self.rows or any(r <= 0 for r in expected_rows) or \
                list(self.raw_sizes) != [r * self.row_bytes for r in expected_rows]:
            raise FormatError(f"{self.path}: frame sizes do not match {self.rows} rows of {self.row_bytes} bytes")
        self.frames = frames

    def frame(self, i, decompressor):
        """Frame i as an array of shape (rows_in_frame, seq_len); zstd verifies its checksum."""
        begin, end = int(self.offsets[i]), int(self.offsets[i + 1])
        expected = int(self.raw_sizes[i])
        try:
            data = decompressor.decompress(self.map[begin:end], max_output_size=expected)
        except Exception as e:
            raise FormatError(f"{self.path}: frame {i} is corrupt ({e})") from None
        if len(data) != expected:
            raise FormatError(f"{self.path}: frame {i} decoded to {len(data)} bytes, expected {expected}")
        return np.frombuffer(data, dtype=self.dtype).reshape(-1, self.seq_len)

    def close(self):
        if isinstance(self.map, mmap.mmap):
            self.map.close()
