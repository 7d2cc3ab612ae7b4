"""Map-style access to the rows of an Ingot dataset."""
import bisect
import os
from collections import OrderedDict

import numpy as np

from .format import DTYPES, ColumnFile, FormatError, load_index


def position_ids_from_segments(segment_ids):
    """Position ids that restart at 0 at every document; 0 on padding."""
    seg = np.asarray(segment_ids)
    idx = np.arange(seg.shape[-1])
    starts = np.ones(seg.shape, dtype=bool)
    starts[..., 1:] = seg[..., 1:] != seg[..., :-1]
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=-1)
    pos = idx - first
    pos[seg == 0] = 0
    return pos.astype(np.int64)


def cu_seqlens(segment_ids):
    """Flash-attention varlen offsets for one row or a batch flattened row-major: the start of every
    document plus the total count of real tokens, as int32."""
    seg = np.asarray(segment_ids).reshape(-1, np.asarray(segment_ids).shape[-1])
    lengths = []
    for row in seg:
        real = row[row != 0]
        if real.size:
            change = np.flatnonzero(np.diff(real)) + 1
            bounds = np.concatenate([[0], change, [real.size]])
            lengths.extend(np.diff(bounds).tolist())
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)


_OUTPUTS = ("input_ids", "attention_mask", "position_ids", "labels", "segment_ids")
_DERIVED, _HITS = "\0derived", "\0hits"


def _derive_block(stored):
    input_ids = stored["input_ids"].astype(np.int64)
    segment_ids = stored["segment_ids"].astype(np.int64)
    real = segment_ids != 0
    labels = np.where(real, input_ids, -100)
    if "loss_mask" in stored:
        labels[stored["loss_mask"] == 0] = -100
    return {"input_ids": input_ids, "attention_mask": real.astype(np.int64),
            "position_ids": position_ids_from_segments(segment_ids), "labels": labels, "segment_ids": segment_ids}


def _row_positions(segments, real):
    """position_ids_from_segments for one row, with a few vectorized steps."""
    n = segments.shape[0]
    starts = np.flatnonzero(segments[1:] != segments[:-1]) + 1
    bounds = np.empty(starts.size + 2, dtype=np.int64)
    bounds[0], bounds[-1] = 0, n
    bounds[1:-1] = starts
    positions = np.arange(n, dtype=np.int64) - np.repeat(bounds[:-1], np.diff(bounds))
    positions[~real] = 0
    return positions


class Dataset:
    """Rows of an Ingot dataset, by global index.

    Shard files are memory-mapped; zstd frames are decompressed on demand, and the output columns
    of a whole frame are derived at once and kept in a small LRU cache (``cache_frames`` frames). Each item is a dict of fixed-shape arrays of length ``seq_len``: ``input_ids``,
    ``attention_mask``, ``position_ids``, ``labels`` (-100 on padding and on tokens whose loss mask
    is 0), and ``segment_ids``.

    ``verify=True`` (the default) checks each shard file's sha256 against the index the first time
    the process touches it, so corrupted bytes raise :class:`FormatError` instead of returning
    wrong rows. Safe to use from ``DataLoader`` workers: open files are per process.
    """

    def __init__(self, path, cache_frames=8, verify=True):
        self.path = os.fspath(path)
        self.index = load_index(self.path)
        self.seq_len = self.index["seq_len"]
        self.codec = self.index["compression"]["codec"]
        self.rows_per_frame = self.index["compression"]["rows_per_frame"]
        self.dtypes = {name: DTYPES[c["dtype"]] for name, c in self.index["columns"].items()}
        self.shards = self.index["shards"]
        self.starts = [0]
        for shard in self.shards:
            self.starts.append(self.starts[-1] + shard["rows"])
        self.cache_frames = cache_frames
        self.verify = verify
        self.special_tokens = self.index.get("special_tokens", {})
        self._reset()

    def _reset(self):
        self._pid = os.getpid()
        self._files = {}
        self._cache = OrderedDict()
        self._decompressor = None

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in ("_files", "_cache", "_decompressor"):
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset()

    def __len__(self):
        return self.starts[-1]

    def _column(self, shard, name):
        if self._pid != os.getpid():  # forked: do not share file handles or caches with the parent
            self._reset()
        key = (shard, name)
        column = self._files.get(key)
        if column is None:
            entry = self.shards[shard]
            column = ColumnFile(self.path, entry["files"][name], entry["rows"], self.seq_len, self.dtypes[name],
                                self.codec, self.rows_per_frame, self.verify)
            self._files[key] = column
        return column

    def _block(self, shard, block):
        """The stored columns of rows [block * rows_per_frame, ...) of a shard: one zstd frame per
        column, decompressed once and kept in a small LRU cache."""
        key = (shard, block)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        cached = {}
        for name in self.dtypes:
            column = self._column(shard, name)
            if self.codec == "none":
                cached[name] = column.array[block * self.rows_per_frame:(block + 1) * self.rows_per_frame]
            else:
                if self._decompressor is None:
                    import zstandard
                    self._decompressor = zstandard.ZstdDecompressor()
                cached[name] = column.frame(block, self._decompressor)
        self._cache[key] = cached
        if len(self._cache) > self.cache_frames:
            self._cache.popitem(last=False)
        return cached

    def locate(self, index):
        """(shard, row within shard) of a global row index."""
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"row {index} out of range for {len(self)} rows")
        shard = bisect.bisect_right(self.starts, index) - 1
        return shard, index - self.starts[shard]

    def raw(self, index):
        """The stored columns of a row, in their on-disk dtypes."""
        shard, local = self.locate(int(index))
        block, offset = divmod(local, self.rows_per_frame)
        stored = self._block(shard, block)
        return {name: stored[name][offset].copy() for name in self.dtypes}

    def __getitem__(self, index):
        shard, local = self.locate(int(index))
        block, offset = divmod(local, self.rows_per_frame)
        stored = self._block(shard, block)
        # A frame read once (random access over a large dataset) is served row by row; a frame
        # read again (sequential reading, or a dataset the cache holds) gets all its output
        # columns derived at once, which is several times cheaper per row.
        derived = stored.get(_DERIVED)
        if derived is None:
            stored[_HITS] = stored.get(_HITS, 0) + 1
            if stored[_HITS] >= 3:
                derived = stored[_DERIVED] = _derive_block(stored)
        if derived is not None:
            return {name: derived[name][offset].copy() for name in _OUTPUTS}
        input_ids = stored["input_ids"][offset].astype(np.int64)
        segment_ids = stored["segment_ids"][offset].astype(np.int64)
        real = segment_ids != 0
        labels = np.where(real, input_ids, -100)
        if "loss_mask" in stored:
            labels[stored["loss_mask"][offset] == 0] = -100
        return {
            "input_ids": input_ids,
            "attention_mask": real.astype(np.int64),
            "position_ids": _row_positions(segment_ids, real),
            "labels": labels,
            "segment_ids": segment_ids,
        }

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def blocks(self):
        """The output columns of every frame, in row order: dicts of ``(rows, seq_len)`` arrays,
        each frame decompressed and derived once (for bulk readers: exports, Arrow)."""
        for shard, entry in enumerate(self.shards):
            for block in range(-(-entry["rows"] // self.rows_per_frame)):
                yield _derive_block(self._block(shard, block))

    def verify_all(self):
        """Reads every frame of every file (sha256, sizes, frame checksums); raises FormatError."""
        import zstandard
        d = zstandard.ZstdDecompressor()
        for shard in range(len(self.shards)):
            for name in self.dtypes:
                column = ColumnFile(self.path, self.shards[shard]["files"][name], self.shards[shard]["rows"], self.seq_len,
                                    self.dtypes[name], self.codec, self.rows_per_frame, True)
                if self.codec == "zstd":
                    for f in range(column.frames):
                        column.frame(f, d)
        return True
