"""The `sft` pipeline end to end: conversations rendered with Llama 3's chat template and
tokenizer, read back with `ingot.Dataset`, give transformers' token ids and, as `labels`, exactly
the assistant-only mask of ../shared/chat/oracle_tokens.jsonl (made with transformers'
renderer and HuggingFace tokenizers), for every conversation that fits a row.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import ingot
from conftest import ROOT, pipeline_binary

SHARED = os.environ.get("INGOT_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CHAT = os.path.join(SHARED, "chat")
if not os.path.isdir(CHAT) and os.environ.get("INGOT_REQUIRE_SHARED") != "1":
    pytest.skip(f"needs the shared fixtures in {SHARED} (or $INGOT_SHARED), which this clone does not have",
                allow_module_level=True)

SEQ_LEN = 4096


@pytest.fixture(scope="module")
def llama3(tmp_path_factory):
    """The shared conversations through `sft` with Llama 3, one padded row each, in input order."""
    out = tmp_path_factory.mktemp("sft-llama3")
    subprocess.run([pipeline_binary(), "run", "sft", "--input", os.path.join(CHAT, "conversations.jsonl"),
                    "--tokenizer", os.path.join(SHARED, "tokenizers", "llama3-8b", "tokenizer.json"),
                    "--chat-template", os.path.join(CHAT, "templates", "llama3.jinja"),
                    "--bos-token", "<|begin_of_text|>", "--eos-token", "<|eot_id|>", "--date-string", "26 Jul 2024",
                    "--seq-len", str(SEQ_LEN), "--workers", "2", "--output", str(out), "--overwrite"],
                   check=True, cwd=ROOT, capture_output=True)
    return str(out)


def oracle_rows(template):
    with open(os.path.join(CHAT, "oracle_tokens.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return {r["conversation"]: r for r in rows if r["template"] == template}


def test_labels_are_the_assistant_only_mask_of_transformers(llama3):
    with open(os.path.join(CHAT, "conversations.jsonl"), encoding="utf-8") as f:
        order = [json.loads(line)["id"] for line in f]
    oracle = oracle_rows("llama3")
    ds = ingot.Dataset(llama3)
    assert len(ds) == len(order)
    checked = 0
    for i, conversation in enumerate(order):
        row = ds[i]
        expected = oracle.get(conversation)
        if expected is None or "mask" not in expected:
            continue  # no final assistant reply: the oracle has no mask for it
        ids = np.array(expected["ids"])
        n = len(ids)
        assert n <= SEQ_LEN
        np.testing.assert_array_equal(row["input_ids"][:n], ids, err_msg=conversation)
        labels = np.where(np.array(expected["mask"]) == 1, ids, -100)
        np.testing.assert_array_equal(row["labels"][:n], labels, err_msg=conversation)
        assert (row["labels"][n:] == -100).all() and (row["attention_mask"][n:] == 0).all()
        checked += 1
    assert checked == sum(1 for r in oracle.values() if "mask" in r) == 136


def test_the_index_records_the_template_and_what_was_trained(llama3):
    with open(os.path.join(llama3, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    options = index["pipeline"]["options"]
    assert options["train_on"] == "assistant" and len(options["chat_template_sha256"]) == 64
    counters = index["statistics"]["counters"]
    masks = sum(sum(r["mask"]) for r in oracle_rows("llama3").values() if "mask" in r)
    # Conversations ending with a user turn train on their earlier replies too.
    assert counters["trained_tokens"] >= masks > 0
    assert counters["untrained_examples"] == 0


def test_a_torch_dataloader_batches_the_rows(llama3):
    torch = pytest.importorskip("torch")
    from ingot.torch import TorchDataset

    loader = torch.utils.data.DataLoader(TorchDataset(llama3), batch_size=4, num_workers=2)
    batch = next(iter(loader))
    assert batch["input_ids"].shape == (4, SEQ_LEN) and batch["labels"].shape == (4, SEQ_LEN)
    assert ((batch["labels"] == -100) | (batch["labels"] == batch["input_ids"])).all()
