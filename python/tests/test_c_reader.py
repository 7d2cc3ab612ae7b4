"""Builds c/test_reader.c against the single-header C reader and checks it against the Python reader."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import ingot
from conftest import ROOT


@pytest.fixture(scope="session")
def c_reader(tmp_path_factory):
    exe = str(tmp_path_factory.mktemp("c") / "test_reader")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c99", "-D_DEFAULT_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe,
                    os.path.join(ROOT, "c", "test_reader.c"), "-lzstd"], check=True)
    return exe


@pytest.mark.parametrize("dataset", ["zstd_dataset", "raw_dataset", "finetune_dataset"])
def test_c_reader_returns_the_same_rows(c_reader, dataset, request):
    directory = request.getfixturevalue(dataset)
    out = subprocess.run([c_reader, directory, "--dump"], check=True, capture_output=True, text=True).stdout.splitlines()
    ds = ingot.Dataset(directory)
    assert len(out) == len(ds)
    for i, line in enumerate(out):
        ids, segs = line.split("|")
        row = ds.raw(i)
        np.testing.assert_array_equal(np.array(ids.split(), dtype=np.int64), row["input_ids"])
        np.testing.assert_array_equal(np.array(segs.split(), dtype=np.int64), row["segment_ids"])


def corrupt(src, tmp_path, how):
    dst = str(tmp_path / "copy")
    shutil.copytree(src, dst)
    index = json.load(open(os.path.join(dst, "index.json")))
    path = os.path.join(dst, index["shards"][0]["files"]["input_ids"]["file"])
    data = bytearray(open(path, "rb").read())
    if how == "flip":
        data[len(data) // 2] ^= 0x01
    elif how == "cut":
        data = data[: len(data) - 7]
    open(path, "wb").write(data)
    if how == "index":
        os.remove(os.path.join(dst, "index.json"))
    return dst


@pytest.mark.parametrize("how,message", [("flip", "sha256"), ("cut", "bytes"), ("index", "missing")])
@pytest.mark.parametrize("dataset", ["zstd_dataset", "raw_dataset"])
def test_c_reader_detects_corruption(c_reader, dataset, how, message, request, tmp_path):
    directory = corrupt(request.getfixturevalue(dataset), tmp_path, how)
    result = subprocess.run([c_reader, directory], capture_output=True, text=True)
    assert result.returncode == 1
    assert message in result.stderr
