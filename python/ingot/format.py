"""The on-disk format (docs/format.md): index.json, seek tables, column files."""
import hashlib
import json
import mmap
import os
import struct

import numpy as np

FORMAT_NAME = "ingot-shards"
FORMAT_VERSION = 2
SKIPPABLE_MAGIC = 0x184D2A5E
SEEKABLE_MAGIC = 0x8F92EAB1
FOOTER_SIZE = 9
DTYPES = {"uint8": np.dtype("<u1"), "uint16": np.dtype("<u2"), "uint32": np.dtype("<u4")}


class FormatError(Exception):
    """A dataset that violates the format: missing, truncated, corrupted or inconsistent files."""


def load_index(directory):
    """Reads and checks ``index.json``: its own checksum, then every value a reader relies on.

    Raises :class:`FormatError` with a message naming the file for anything wrong."""
    path = os.path.join(directory, "index.json")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FormatError(f"{path} is missing: not an Ingot dataset, or an incomplete one (a run that did not finish)") from None
    try:
        index = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT_NAME or index.get("format_version") != FORMAT_VERSION:
        raise FormatError(f"{path}: expected format {FORMAT_NAME} v{FORMAT_VERSION}")
    _check_checksum(raw, index, path)
    try:
        _check_values(index, path)
    except (KeyError, TypeError, AttributeError) as e:
        raise FormatError(f"{path}: malformed index ({e!r})") from None
    return index


def _check_checksum(raw, index, path):
    """``index_sha256`` is the SHA-256 of the file with that value replaced by 64 zeros."""
    checksum = index.get("index_sha256")
    if not isinstance(checksum, str) or len(checksum) != 64 or any(c not in "0123456789abcdef" for c in checksum):
        raise FormatError(f"{path}: index_sha256 is missing or malformed")
    key = b'"index_sha256"'
    at = raw.find(key)
    value = raw.find(b'"' + checksum.encode() + b'"', at)
    if at < 0 or raw.find(key, at + 1) >= 0 or value < 0 or raw[at + len(key):value].strip(b" :\n\t"):
        raise FormatError(f"{path}: index_sha256 is missing or malformed")
    zeroed = raw[:value + 1] + b"0" * 64 + raw[value + 65:]
    if hashlib.sha256(zeroed).hexdigest() != checksum:
        raise FormatError(f"{path} does not match its own index_sha256: the index was edited or corrupted")


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_values(index, path):
    def fail(message):
        raise FormatError(f"{path}: {message}")

    seq_len, vocab = index["seq_len"], index["vocab_size"]
    if not (_is_count(seq_len) and seq_len > 0):
        fail("seq_len must be a positive integer")
    recorded = index["pipeline"]["options"].get("seq_len")
    if recorded is not None and recorded != str(seq_len):
        fail(f"seq_len {seq_len} differs from the {recorded} the pipeline recorded")
    if not (_is_count(vocab) and 0 < vocab <= 1 << 32):
        fail(f"vocab_size {vocab!r} is not a vocabulary size")
    for name, token in index["special_tokens"].items():
        if token is not None and not (_is_count(token) and token < vocab):
            fail(f"special token {name} = {token!r} is outside the vocabulary")
    columns = index["columns"]
    allowed = {"input_ids": ("uint16", "uint32"), "segment_ids": ("uint16", "uint32"), "loss_mask": ("uint8",)}
    for name in ("input_ids", "segment_ids"):
        if name not in columns:
            fail(f"column {name!r} is missing")
    for name, column in columns.items():
        if name not in allowed or column["dtype"] not in allowed[name]:
            fail(f"column {name!r} is unknown or cannot be {column.get('dtype')!r}")
    if columns["input_ids"]["dtype"] == "uint16" and vocab > 1 << 16:
        fail(f"input_ids are uint16 but vocab_size is {vocab}")
    if columns["segment_ids"]["dtype"] == "uint16" and seq_len >= 1 << 16:
        fail(f"segment_ids are uint16 but seq_len is {seq_len}")
    compression = index["compression"]
    codec, rows_per_frame = compression["codec"], compression["rows_per_frame"]
    if codec not in ("zstd", "none"):
        fail(f"unknown codec {codec!r}")
    if not (_is_count(rows_per_frame) and rows_per_frame > 0):
        fail(f"rows_per_frame {rows_per_frame!r} must be a positive integer")
    if codec == "zstd" and not (_is_count(compression.get("level")) and 1 <= compression["level"] <= 22):
        fail("zstd level must be 1 to 22")
    total, previous = 0, None
    for shard in index["shards"]:
        name, partition, rows = shard["name"], shard["partition"], shard["rows"]
        parts = name.split("-") if isinstance(name, str) else []
        if len(parts) != 3 or parts[0] != "part" or not all(p.isdigit() for p in parts[1:]) or \
                name != f"part-{int(parts[1]):05d}-{int(parts[2]):04d}" or int(parts[1]) != partition:
            fail(f"shard {name!r} is not named part-PPPPP-SSSS for its partition")
        key = (int(parts[1]), int(parts[2]))
        in_order = key[1] == 0 if previous is None else \
            (key[1] == previous[1] + 1 if key[0] == previous[0] else key[0] > previous[0] and key[1] == 0)
        if not in_order:
            fail(f"shard {name} is out of order, duplicated, or follows a missing shard")
        previous = key
        if not _is_count(rows):
            fail(f"shard {name} has an invalid row count")
        if set(shard["files"]) != set(columns):
            fail(f"shard {name} has columns {sorted(shard['files'])}, expected {sorted(columns)}")
        for column, entry in shard["files"].items():
            expected = f"{name}.{column}.{'zst' if codec == 'zstd' else 'bin'}"
            if entry["file"] != expected or not _is_count(entry["bytes"]) or len(entry["sha256"]) != 64:
                fail(f"shard {name} lists a wrong {column} file")
            if codec == "zstd":
                if entry.get("frames") != -(-rows // rows_per_frame):
                    fail(f"{expected} lists {entry.get('frames')} frames, expected {-(-rows // rows_per_frame)}")
            elif "frames" in entry or entry["bytes"] != rows * seq_len * DTYPES[columns[column]["dtype"]].itemsize:
                fail(f"{expected} has the wrong size for {rows} rows")
        total += rows
    if total != index["total_rows"] or total != index["statistics"]["rows"]:
        fail(f"shards hold {total} rows but total_rows is {index['total_rows']}")
    stats = index["statistics"]
    accounted = stats["documents_written"] + sum(stats["skipped"].values()) + sum(stats["dropped"].values())
    if stats["documents_read"] != accounted:
        fail("documents read != written + skipped + dropped")
    for entry in index["inputs"]:
        if entry["bytes"] != entry["bytes_read"]:
            fail(f"input {entry['path']!r} was not read whole")


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
