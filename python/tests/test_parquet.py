"""Parquet input read by Ingot against pyarrow's own reading, on files written by the real writers:
pyarrow with every compression, dictionary on and off, data pages v1 and v2, the delta encodings,
several row groups and many pages, nulls, empty strings, multi-MB values, non-ASCII text and nested
list<struct> columns; and `datasets.Dataset.to_parquet`. Then whole runs: a directory of Parquet
in the Hub's layout gives the same shards as the same rows as JSON Lines, and bad files are refused
with their name, never a crash."""
import itertools
import json
import os
import random
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, pipeline_binary
from ingot import Dataset


def pipeline(*arguments):
    return subprocess.run([pipeline_binary(), *arguments], capture_output=True, cwd=ROOT)


def ingot_records(path, *extra):
    result = pipeline("records", str(path), *extra)
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def sample_rows():
    with open(os.path.join(ROOT, "Samples", "corpus", "sample-en.jsonl")) as f:
        texts = [json.loads(line)["text"] for line in f][:200]
    rng = random.Random(7)
    rows = []
    for i, text in enumerate(texts):
        roles = ["system", "user", "assistant"]
        rows.append({
            "id": i * 1_000_003 - 5_000_000,
            "text": None if i % 37 == 5 else "" if i % 41 == 3 else text + (" é漢字🙂" if i % 3 == 0 else ""),
            "flag": None if i % 11 == 0 else i % 2 == 0,
            "score": None if i % 13 == 0 else rng.uniform(-1e6, 1e6),
            "tags": None if i % 17 == 0 else [] if i % 19 == 0 else [f"t{j}" if j % 4 else None for j in range(i % 5)],
            "messages": None if i % 23 == 0 else [
                {"role": roles[j % 3], "content": None if (i + j) % 29 == 0 else f"turn {j} of {i}: {text[:50]}"}
                for j in range(i % 4)
            ],
            "meta": None if i % 31 == 0 else {"source": f"s{i % 7}", "n": i},
        })
    rows[42]["text"] = "long " * 700_000  # 3.5 MB
    return rows


SCHEMA = pa.schema([
    ("id", pa.int64()), ("text", pa.string()), ("flag", pa.bool_()), ("score", pa.float64()),
    ("tags", pa.list_(pa.string())),
    ("messages", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
    ("meta", pa.struct([("source", pa.string()), ("n", pa.int32())])),
])


@pytest.fixture(scope="module")
def table():
    return pa.Table.from_pylist(sample_rows(), schema=SCHEMA)


MATRIX = list(itertools.product(["NONE", "SNAPPY", "GZIP", "ZSTD", "LZ4"], [True, False], ["1.0", "2.0"]))


@pytest.mark.parametrize("compression,dictionary,page_version", MATRIX)
def test_every_compression_dictionary_and_page_version_reads_as_pyarrow_does(tmp_path, table, compression, dictionary, page_version):
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, compression=compression, use_dictionary=dictionary, data_page_version=page_version,
                   row_group_size=64, data_page_size=8 << 10)
    assert pq.ParquetFile(path).metadata.num_row_groups > 1
    assert ingot_records(path) == pq.read_table(path).to_pylist()


@pytest.mark.parametrize("encoding", ["DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "PLAIN"])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_delta_and_plain_encodings_read_as_pyarrow_does(tmp_path, table, encoding, page_version):
    path = tmp_path / "t.parquet"
    encodings = {"text": encoding, "meta.source": encoding, "id": "DELTA_BINARY_PACKED", "meta.n": "DELTA_BINARY_PACKED"}
    pq.write_table(table, path, use_dictionary=False, column_encoding=encodings, data_page_version=page_version,
                   compression="ZSTD", row_group_size=50, data_page_size=4 << 10)
    columns = pq.ParquetFile(path).metadata.row_group(0).to_dict()["columns"]
    assert any(encoding in c["encodings"] for c in columns)
    assert ingot_records(path) == pq.read_table(path).to_pylist()


def test_selected_columns_only(tmp_path, table):
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=64)
    expected = pq.read_table(path, columns=["messages", "id"]).to_pylist()
    got = ingot_records(path, "--fields", "messages,id")
    # Ingot keeps the schema's column order.
    assert [{"id": r["id"], "messages": r["messages"]} for r in got] == [{"id": r["id"], "messages": r["messages"]} for r in expected]
    assert all(list(r) == ["id", "messages"] for r in got)


def test_datasets_to_parquet(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = [{"text": r["text"] or "", "messages": r["messages"] or []} for r in sample_rows()]
    rows = [{"text": r["text"], "messages": [{"role": m["role"], "content": m["content"] or ""} for m in r["messages"]]} for r in rows]
    path = tmp_path / "ds.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    assert ingot_records(path) == pq.read_table(path).to_pylist() == rows


def dataset_files(directory):
    return {n: open(os.path.join(directory, n), "rb").read() for n in os.listdir(directory) if n.startswith("part-")}


@pytest.mark.parametrize("pipeline_name,field", [("finetune", "text"), ("sft", None)])
def test_a_hub_layout_directory_gives_the_jsonl_runs_rows(tmp_path, pipeline_name, field):
    rows = [r for r in sample_rows() if r["text"] and r["messages"] and all(m["content"] for m in r["messages"])
            and any(m["role"] == "assistant" for m in r["messages"])]
    keep = ["text"] if field else ["messages"]
    rows = [{k: r[k] for k in keep} for r in rows]
    data = tmp_path / "hub" / "data"
    data.mkdir(parents=True)
    schema = pa.schema([f for f in SCHEMA if f.name in keep])
    half = len(rows) // 2
    pq.write_table(pa.Table.from_pylist(rows[:half], schema=schema), data / "train-00000-of-00002.parquet", row_group_size=20)
    pq.write_table(pa.Table.from_pylist(rows[half:], schema=schema), data / "train-00001-of-00002.parquet", compression="zstd")
    pq.write_table(pa.Table.from_pylist(rows[:5], schema=schema), data / "test-00000-of-00001.parquet")
    jsonl = tmp_path / "train.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    common = ["--seq-len", "512", "--partition-mb", "1"]
    a = pipeline("run", pipeline_name, "--input", str(tmp_path / "hub"), "--split", "train", "--output", str(tmp_path / "pq"), *common)
    assert a.returncode == 0, a.stderr.decode()
    b = pipeline("run", pipeline_name, "--input", str(jsonl), "--output", str(tmp_path / "jsonl"), *common)
    assert b.returncode == 0, b.stderr.decode()
    # The same rows in the same order (shard files may be cut differently: partitions follow
    # the input files' bytes).
    a_rows, b_rows = Dataset(str(tmp_path / "pq")), Dataset(str(tmp_path / "jsonl"))
    assert len(a_rows) == len(b_rows) == len(rows)
    for i in range(len(a_rows)):
        x, y = a_rows.raw(i), b_rows.raw(i)
        assert x.keys() == y.keys() and all((x[k] == y[k]).all() for k in x), f"row {i} differs"
    index = json.load(open(tmp_path / "pq" / "index.json"))
    assert [os.path.basename(i["path"]) for i in index["inputs"]] == ["train-00000-of-00002.parquet", "train-00001-of-00002.parquet"]
    assert all(i["bytes_read"] == i["bytes"] for i in index["inputs"])


def test_row_groups_are_partitions_of_a_large_file(tmp_path, table):
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=20, compression="NONE", use_dictionary=False)
    assert path.stat().st_size > 4 << 20
    one = pipeline("run", "pretrain", "--input", str(path), "--output", str(tmp_path / "a"), "--partition-mb", "1", "--seq-len", "256",
                   "--on-error", "skip", "--workers", "1")
    two = pipeline("run", "pretrain", "--input", str(path), "--output", str(tmp_path / "b"), "--partition-mb", "1", "--seq-len", "256",
                   "--on-error", "skip", "--workers", "2")
    assert one.returncode == 0 and two.returncode == 0, one.stderr.decode() + two.stderr.decode()
    index = json.load(open(tmp_path / "a" / "index.json"))
    assert len({s["partition"] for s in index["shards"]}) > 1, "a 5 MB file of 20-row groups spans several 1 MiB partitions"
    assert dataset_files(tmp_path / "a") == dataset_files(tmp_path / "b")
    # The null texts are counted, by reason, not lost.
    stats = index["statistics"]
    nulls = sum(1 for r in sample_rows() if r["text"] is None)
    assert stats["documents_read"] == 200 and sum(stats["skipped"].values()) == nulls, stats
    assert stats["documents_written"] + sum(stats["skipped"].values()) + sum(stats["dropped"].values()) == 200, stats


def test_a_null_text_stops_the_run_with_file_and_row(tmp_path, table):
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    result = pipeline("run", "pretrain", "--input", str(path), "--output", str(tmp_path / "o"))
    assert result.returncode == 1
    first_null = next(i for i, r in enumerate(sample_rows()) if r["text"] is None)
    assert f"{path}:{first_null + 1}:" in result.stderr.decode(), result.stderr.decode()


def test_truncated_and_corrupt_files_are_refused_never_a_crash(tmp_path, table):
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=50, compression="SNAPPY")
    data = path.read_bytes()
    cases = {"truncated": data[: len(data) // 2], "no footer": data[:-8], "empty": b"", "not parquet": b"PAR1" + b"x" * 100}
    rng = random.Random(3)
    for k in range(40):
        mutated = bytearray(data)
        for _ in range(8):
            mutated[rng.randrange(4, len(data) - 8)] ^= 1 << rng.randrange(8)
        cases[f"flipped {k}"] = bytes(mutated)
    for name, content in cases.items():
        bad = tmp_path / f"bad-{name.replace(' ', '-')}.parquet"
        bad.write_bytes(content)
        result = pipeline("records", str(bad))
        # A flipped bit may land in a value (then the file still reads); the damaged structure of
        # the first four never does.
        expected = (1,) if not name.startswith("flipped") else (0, 1)
        assert result.returncode in expected, f"{name}: exit {result.returncode}\n{result.stderr.decode()[-2000:]}"
        if result.returncode == 1:
            assert str(bad) in result.stderr.decode(), f"{name}: {result.stderr.decode()}"
