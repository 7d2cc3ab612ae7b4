import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import ingot


def stock_zstd_rows(directory, column):
    """Every row of a column, decoded with the stock zstd command: independent of ingot's reader."""
    index = json.load(open(os.path.join(directory, "index.json")))
    dtype = {"uint16": "<u2", "uint32": "<u4", "uint8": "<u1"}[index["columns"][column]["dtype"]]
    parts = []
    for shard in index["shards"]:
        raw = subprocess.run(["zstd", "-d", "-c", os.path.join(directory, shard["files"][column]["file"])],
                             check=True, capture_output=True).stdout
        parts.append(np.frombuffer(raw, dtype=dtype).reshape(shard["rows"], index["seq_len"]))
    return np.concatenate(parts)


def test_rows_match_the_stock_zstd_decoding(zstd_dataset):
    ds = ingot.Dataset(zstd_dataset)
    ids = stock_zstd_rows(zstd_dataset, "input_ids")
    segs = stock_zstd_rows(zstd_dataset, "segment_ids")
    assert len(ds) == len(ids) > 1000
    assert len(ds.shards) > 1
    for i in list(range(0, len(ds), 7)) + [len(ds) - 1, -1]:
        row = ds[i]
        assert row["input_ids"].shape == (256,)
        np.testing.assert_array_equal(row["input_ids"], ids[i])
        np.testing.assert_array_equal(row["segment_ids"], segs[i])


def test_derived_columns(zstd_dataset):
    ds = ingot.Dataset(zstd_dataset)
    for i in range(0, len(ds), 11):
        row = ds[i]
        seg, ids = row["segment_ids"], row["input_ids"]
        np.testing.assert_array_equal(row["attention_mask"], (seg != 0).astype(np.int64))
        np.testing.assert_array_equal(row["labels"], np.where(seg != 0, ids, -100))
        pos = row["position_ids"]
        for t in range(1, 256):
            if seg[t] == 0:
                assert pos[t] == 0
            elif seg[t] == seg[t - 1]:
                assert pos[t] == pos[t - 1] + 1
            else:
                assert pos[t] == 0
        cu = ingot.cu_seqlens(seg)
        assert cu[0] == 0 and cu[-1] == int((seg != 0).sum())
        assert len(cu) - 1 == len(set(seg[seg != 0].tolist()))


def test_uncompressed_dataset_has_the_same_rows(zstd_dataset, raw_dataset):
    a, b = ingot.Dataset(zstd_dataset), ingot.Dataset(raw_dataset)
    assert len(a) == len(b)
    for i in range(0, len(a), 13):
        np.testing.assert_array_equal(a[i]["input_ids"], b[i]["input_ids"])
        np.testing.assert_array_equal(a[i]["segment_ids"], b[i]["segment_ids"])
    # The raw files are plain arrays numpy can map directly.
    shard = b.shards[0]
    mm = np.memmap(os.path.join(raw_dataset, shard["files"]["input_ids"]["file"]), dtype="<u2", mode="r")
    np.testing.assert_array_equal(mm.reshape(-1, 256)[0], a[0]["input_ids"])


def test_finetune_rows_are_one_example_each(finetune_dataset):
    ds = ingot.Dataset(finetune_dataset)
    assert len(ds) == 410
    for i in range(len(ds)):
        seg = ds[i]["segment_ids"]
        assert set(np.unique(seg).tolist()) <= {0, 1}


def copy(src, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(src, dst)
    return str(dst)


def first_file(directory, column="input_ids"):
    index = json.load(open(os.path.join(directory, "index.json")))
    return os.path.join(directory, index["shards"][0]["files"][column]["file"])


@pytest.mark.parametrize("dataset", ["zstd_dataset", "raw_dataset"])
def test_flipped_byte_is_detected(dataset, request, tmp_path):
    directory = copy(request.getfixturevalue(dataset), tmp_path)
    path = first_file(directory)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 3] ^= 0x10
    open(path, "wb").write(data)
    ds = ingot.Dataset(directory)
    with pytest.raises(ingot.FormatError, match="sha256"):
        ds[0]
    # Without the sha256 pass, zstd's frame checksum still catches it.
    if dataset == "zstd_dataset":
        ds = ingot.Dataset(directory, verify=False)
        with pytest.raises(ingot.FormatError):
            for i in range(ds.shards[0]["rows"]):
                ds[i]


def test_truncated_file_is_detected(zstd_dataset, tmp_path):
    directory = copy(zstd_dataset, tmp_path)
    path = first_file(directory)
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) - 100])
    with pytest.raises(ingot.FormatError, match="bytes"):
        ingot.Dataset(directory)[0]


def test_edited_index_is_detected(zstd_dataset, tmp_path):
    directory = copy(zstd_dataset, tmp_path)
    path = os.path.join(directory, "index.json")
    index = json.load(open(path))
    index["shards"][0]["rows"] += 1
    index["total_rows"] += 1
    json.dump(index, open(path, "w"))
    with pytest.raises(ingot.FormatError):
        ingot.Dataset(directory, verify=False)[0]
    os.remove(path)
    with pytest.raises(ingot.FormatError, match="missing"):
        ingot.Dataset(directory)


def test_verify_all(zstd_dataset):
    assert ingot.Dataset(zstd_dataset).verify_all()


def test_sampler_partitions_ranks_and_resumes():
    n, world = 103, 4
    samplers = [ingot.DistributedResumableSampler(n, rank=r, world_size=world, seed=7) for r in range(world)]
    shares = [list(s) for s in samplers]
    assert all(len(x) == 26 for x in shares)
    assert set().union(*map(set, shares)) == set(range(n))
    # Same seed and epoch: same order on every run; another epoch: another order.
    again = ingot.DistributedResumableSampler(n, rank=1, world_size=world, seed=7)
    assert list(again) == shares[1]
    assert list(again) != shares[1]  # the sampler moved on to epoch 1
    # Resume mid-epoch from a checkpoint.
    s = ingot.DistributedResumableSampler(n, rank=2, world_size=world, seed=7)
    it = iter(s)
    head = [next(it) for _ in range(10)]
    # Mid-epoch, the sampler cannot know what was trained on (a DataLoader prefetches): it refuses.
    with pytest.raises(ValueError, match="consumed="):
        s.state_dict()
    assert len(s) == 26
    state = s.state_dict(consumed=10)
    resumed = ingot.DistributedResumableSampler(n, rank=2, world_size=world, seed=7)
    resumed.load_state_dict(state)
    assert head + list(resumed) == shares[2]
    with pytest.raises(ValueError):
        resumed.load_state_dict(dict(state, seed=8))


def test_sampler_resumes_after_what_was_trained_not_what_was_prefetched():
    torch = pytest.importorskip("torch", reason="needs torch (CI installs the CPU wheel)")
    sampler = ingot.DistributedResumableSampler(100, seed=3)
    loader = torch.utils.data.DataLoader(list(range(100)), batch_size=4, sampler=sampler, num_workers=2, prefetch_factor=2)
    trained = []
    for step, batch in enumerate(loader, start=1):
        trained += batch.tolist()
        if step == 7:
            break
    assert len(sampler) == 100  # constant, although the loader has drawn ahead
    state = sampler.state_dict(consumed=7 * 4)
    resumed = ingot.DistributedResumableSampler(100, seed=3)
    resumed.load_state_dict(state)
    assert sorted(trained + list(resumed)) == list(range(100))


def test_sampler_drop_last():
    s = ingot.DistributedResumableSampler(10, rank=0, world_size=3, drop_last=True, shuffle=False)
    assert list(s) == [0, 3, 6]
