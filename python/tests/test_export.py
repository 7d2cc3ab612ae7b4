"""python -m ingot export, read back by the real libraries: Parquet by pyarrow and by
datasets.load_dataset("parquet"), the datasets folder by load_from_disk, and Megatron-LM's
indexed dataset by megatron.core's IndexedDataset."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ingot

COLUMNS = ("input_ids", "attention_mask", "position_ids", "labels", "segment_ids")


def export(dataset, to, out):
    subprocess.run([sys.executable, "-m", "ingot", "export", dataset, "--to", to, str(out)], check=True, capture_output=True)
    return str(out)


def expected_rows(dataset):
    rows = ingot.Dataset(dataset)
    return [rows[i] for i in range(len(rows))]


@pytest.mark.parametrize("fixture", ["zstd_dataset", "finetune_dataset"])
def test_parquet_reads_back_with_pyarrow_and_datasets(fixture, request, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="needs pyarrow (python/tests/requirements.txt)")
    datasets = pytest.importorskip("datasets", reason="needs datasets (python/tests/requirements.txt)")
    dataset = request.getfixturevalue(fixture)
    out = export(dataset, "parquet", tmp_path / "rows.parquet")
    expected = expected_rows(dataset)
    table = pq.read_table(out)
    assert table.num_rows == len(expected) and table.column_names == list(COLUMNS)
    loaded = datasets.load_dataset("parquet", data_files=out, split="train", cache_dir=str(tmp_path / "cache"))
    for i in range(0, len(expected), 3):
        for name in COLUMNS:
            assert np.array_equal(np.asarray(table[name][i].as_py()), expected[i][name]), (i, name)
            assert np.array_equal(np.asarray(loaded[i][name]), expected[i][name]), (i, name)


def test_hf_folder_reads_back_with_load_from_disk(finetune_dataset, tmp_path):
    datasets = pytest.importorskip("datasets", reason="needs datasets (python/tests/requirements.txt)")
    out = export(finetune_dataset, "hf", tmp_path / "hf")
    loaded = datasets.load_from_disk(out)
    expected = expected_rows(finetune_dataset)
    assert len(loaded) == len(expected)
    for i in range(0, len(expected), 3):
        for name in COLUMNS:
            assert np.array_equal(np.asarray(loaded[i][name]), expected[i][name]), (i, name)


def test_megatron_indexed_dataset_reads_every_document(zstd_dataset, tmp_path):
    pytest.importorskip("torch", reason="megatron-core needs torch (CI installs the CPU wheel)")
    indexed = pytest.importorskip("megatron.core.datasets.indexed_dataset", reason="needs megatron-core (python/tests/requirements.txt)")
    prefix = export(zstd_dataset, "megatron", tmp_path / "corpus")
    documents = []
    for row in expected_rows(zstd_dataset):
        segments = row["segment_ids"]
        for segment in np.unique(segments[segments != 0]):
            documents.append(row["input_ids"][segments == segment])
    read = indexed.IndexedDataset(prefix)
    assert len(read) == len(documents) and len(read.document_indices) == len(documents) + 1
    assert read.index.dtype == np.uint16  # GPT-2's vocabulary fits
    for i in range(len(documents)):
        assert np.array_equal(read[i], documents[i]), i
    assert sum(len(d) for d in documents) == sum(r["attention_mask"].sum() for r in expected_rows(zstd_dataset))
