"""Exports an Ingot dataset for tools that read other formats.

    python -m ingot export DIR --to parquet OUT.parquet    rows as Parquet (pyarrow, datasets.load_dataset("parquet"))
    python -m ingot export DIR --to hf OUT_DIR             a datasets folder (datasets.load_from_disk)
    python -m ingot export DIR --to megatron OUT_PREFIX    Megatron-LM's indexed dataset (OUT_PREFIX.bin, .idx)

Parquet and ``datasets`` get every row as it is, with the columns ``ingot.Dataset`` gives.
Megatron's indexed dataset holds documents, not rows (its GPT dataset packs them itself): each
document of each row (a run of one segment id) becomes a Megatron document of one sequence, and
padding is left out.
"""
import argparse
import os
import struct
import sys

import numpy as np

from .dataset import Dataset

COLUMNS = ("input_ids", "attention_mask", "position_ids", "labels", "segment_ids")


def arrow_batches(rows, columns=COLUMNS):
    """The Arrow schema of the rows, and their record batches, one per frame: a fixed-size
    list<int64> column per output column, built from the arrays with no Python lists."""
    import pyarrow as pa

    schema = pa.schema([(name, pa.list_(pa.int64(), rows.seq_len)) for name in columns])

    def batches():
        for derived in rows.blocks():
            yield pa.record_batch(
                [pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(derived[name]).reshape(-1)), rows.seq_len)
                 for name in columns], schema=schema)

    return schema, batches()


def to_parquet(path, out, row_group_rows=1024):
    """Writes the rows to one Parquet file: a fixed-size list<int64> column per output column."""
    import pyarrow.parquet as pq

    schema, batches = arrow_batches(Dataset(path))
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch, row_group_size=row_group_rows)
    return out


def to_hf(path, out):
    """Writes the rows as a HuggingFace ``datasets`` folder."""
    from .hf import to_dataset

    to_dataset(path).with_format(None).save_to_disk(out)
    return out


# Megatron-LM's MMIDIDX index: magic, version, dtype code, counts, then the arrays.
_MEGATRON_MAGIC = b"MMIDIDX\x00\x00"
_MEGATRON_DTYPES = {np.dtype(np.uint16): 8, np.dtype(np.int32): 4, np.dtype(np.int64): 5}


def to_megatron(path, prefix):
    """Writes ``prefix.bin`` (the tokens of every document, back to back) and ``prefix.idx``."""
    rows = Dataset(path)
    vocabulary = rows.index.get("vocab_size", 1 << 31)
    dtype = np.dtype(np.uint16) if vocabulary <= 65535 else np.dtype(np.int32)
    lengths = []
    with open(prefix + ".bin", "wb") as data:
        for derived in rows.blocks():
            for ids, segments in zip(derived["input_ids"], derived["segment_ids"]):
                bounds = np.flatnonzero(np.diff(segments)) + 1
                for start, end in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [segments.size]])):
                    if segments[start] != 0:
                        data.write(ids[start:end].astype(dtype).tobytes())
                        lengths.append(end - start)
    lengths = np.asarray(lengths, dtype=np.int32)
    pointers = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths):
        pointers[1:] = np.cumsum(lengths[:-1].astype(np.int64) * dtype.itemsize)
    # One sequence per document: the document index is 0, 1, ..., n.
    documents = np.arange(len(lengths) + 1, dtype=np.int64)
    with open(prefix + ".idx", "wb") as index:
        index.write(_MEGATRON_MAGIC)
        index.write(struct.pack("<Q", 1))
        index.write(struct.pack("<B", _MEGATRON_DTYPES[dtype]))
        index.write(struct.pack("<Q", len(lengths)))
        index.write(struct.pack("<Q", len(documents)))
        index.write(lengths.tobytes())
        index.write(pointers.tobytes())
        index.write(documents.tobytes())
    return prefix


EXPORTERS = {"parquet": to_parquet, "hf": to_hf, "megatron": to_megatron}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ingot export", description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="an Ingot dataset directory (with index.json)")
    parser.add_argument("--to", required=True, choices=sorted(EXPORTERS), help="the format to write")
    parser.add_argument("out", help="the Parquet file, the datasets folder, or Megatron's path prefix")
    args = parser.parse_args(argv)
    if args.to != "megatron" and os.path.exists(args.out):
        parser.error(f"{args.out} exists: give a new path")
    written = EXPORTERS[args.to](args.dataset, args.out)
    print(f"{args.dataset} -> {written} ({args.to})", file=sys.stderr)
