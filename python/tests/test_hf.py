"""ingot.hf.collate with a real transformers model: the documents of a packed row give the same
logits as each document run alone (eager and sdpa attention), no document is trained to predict
the next, and HuggingFace Trainer trains on the batches as they come.
"""
import json
import os
import random
import subprocess

import pytest

torch = pytest.importorskip("torch", reason="needs torch (CI installs the CPU wheel)")
transformers = pytest.importorskip("transformers", reason="needs transformers (python/tests/requirements.txt)")

from conftest import ROOT, pipeline_binary  # noqa: E402
from ingot.hf import collate, make_collator  # noqa: E402
from ingot.torch import TorchDataset  # noqa: E402

SEQ_LEN = 64


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    """Short documents packed several to a row (best-fit), from real sample text."""
    directory = tmp_path_factory.mktemp("packed")
    words = open(os.path.join(ROOT, "Samples", "corpus", "sample-en.jsonl"), encoding="utf-8").read().split()[:20000]
    rng = random.Random(7)
    corpus = directory / "short.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for _ in range(120):
            start = rng.randrange(len(words) - 40)
            f.write(json.dumps({"text": " ".join(words[start:start + rng.randint(2, 8)])}) + "\n")
    out = directory / "shards"
    subprocess.run([pipeline_binary(), "run", "pretrain", "--input", str(corpus), "--output", str(out),
                    "--seq-len", str(SEQ_LEN)], check=True, cwd=ROOT, capture_output=True)
    return TorchDataset(str(out))


def tiny_model(attention):
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=50257, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, attn_implementation=attention)
    return transformers.LlamaForCausalLM(config).eval()


def documents(row):
    """(start, end) of each document of a row."""
    segments = row["segment_ids"].tolist()
    spans, start = [], 0
    for i in range(1, len(segments) + 1):
        if i == len(segments) or segments[i] != segments[start]:
            if segments[start] != 0:
                spans.append((start, i))
            start = i
    return spans


def packed_rows(dataset, count):
    """The `count` rows holding the most documents."""
    rows = [dataset[i] for i in range(len(dataset))]
    return sorted(rows, key=lambda row: -len(documents(row)))[:count]


def largest_difference(model, rows, batch):
    with torch.no_grad():
        logits = model(**batch).logits
        worst = 0.0
        for r, row in enumerate(rows):
            for start, end in documents(row):
                alone = model(input_ids=row["input_ids"][start:end][None]).logits[0]
                worst = max(worst, (logits[r, start:end] - alone).abs().max().item())
    return worst


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
@pytest.mark.parametrize("collator", ["position_ids", "4d"])
def test_packed_documents_attend_only_to_themselves(packed, attention, collator):
    rows = packed_rows(packed, 4)
    assert sum(len(documents(row)) for row in rows) >= 8, "the rows must pack several documents for this to mean anything"
    model = tiny_model(attention)
    assert largest_difference(model, rows, make_collator(collator)(rows)) < 1e-5


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_cross_document_attention_is_a_visible_choice(packed, attention):
    rows = packed_rows(packed, 4)
    assert largest_difference(tiny_model(attention), rows, make_collator("cross_document")(rows)) > 1e-3


def test_no_document_predicts_the_next(packed):
    rows = packed_rows(packed, 8)
    batch = collate(rows)
    assert "attention_mask" not in batch and batch["use_cache"] is False
    for r, row in enumerate(rows):
        labels = batch["labels"][r]
        for start, end in documents(row):
            assert labels[start] == -100
            assert torch.equal(labels[start + 1:end], row["input_ids"][start + 1:end])
            assert torch.equal(batch["position_ids"][r, start:end], torch.arange(end - start))
        assert (labels[row["segment_ids"] == 0] == -100).all()
    # As HuggingFace Trainer hands the rows over (segment_ids dropped: forward does not take it).
    trimmed = [{k: v for k, v in row.items() if k != "segment_ids"} for row in rows]
    assert all(torch.equal(batch[k], collate(trimmed)[k]) for k in ("input_ids", "position_ids", "labels"))
    # The loss is cross-entropy over exactly those labels.
    model = tiny_model("sdpa")
    with torch.no_grad():
        out = model(**batch)
    shifted = batch["labels"][:, 1:].reshape(-1)
    manual = torch.nn.functional.cross_entropy(out.logits[:, :-1].reshape(-1, out.logits.shape[-1]), shifted, ignore_index=-100)
    assert abs(out.loss.item() - manual.item()) < 1e-5


def test_unknown_attention_mode_is_refused():
    with pytest.raises(ValueError, match="attention must be one of"):
        make_collator("flash_attention_99")


def test_trainer_trains_on_collated_packed_rows(packed, tmp_path):
    pytest.importorskip("accelerate", reason="HuggingFace Trainer needs accelerate (python/tests/requirements.txt)")
    model = tiny_model("sdpa").train()
    arguments = transformers.TrainingArguments(
        str(tmp_path), per_device_train_batch_size=4, max_steps=3, report_to=[], use_cpu=True, save_strategy="no",
        logging_steps=1, learning_rate=1e-3)
    trainer = transformers.Trainer(model=model, args=arguments, train_dataset=packed, data_collator=collate)
    result = trainer.train()
    assert result.global_step == 3 and result.training_loss > 0


@pytest.mark.parametrize("batch_size", range(1, 9))
@pytest.mark.parametrize("shards", ["packed", "finetune"])
def test_ingot_trainer_at_every_batch_size(shards, batch_size, packed, finetune_dataset, tmp_path):
    """The seed's crash (`expected sequence of length ...`) cannot happen: any batch size trains."""
    pytest.importorskip("accelerate", reason="HuggingFace Trainer needs accelerate (python/tests/requirements.txt)")
    from ingot.hf import Trainer
    dataset = packed if shards == "packed" else TorchDataset(finetune_dataset)
    arguments = transformers.TrainingArguments(
        str(tmp_path), per_device_train_batch_size=batch_size, max_steps=2, report_to=[], use_cpu=True,
        save_strategy="no", learning_rate=1e-3)
    result = Trainer(model=tiny_model("sdpa").train(), args=arguments, train_dataset=dataset).train()
    assert result.global_step == 2 and result.training_loss > 0


@pytest.fixture(scope="module")
def sft_shards(tmp_path_factory):
    """The bundled sample conversations through `sft` (ChatML on GPT-2), padded rows with a loss mask."""
    out = tmp_path_factory.mktemp("sft") / "shards"
    subprocess.run([pipeline_binary(), "run", "sft", "--output", str(out), "--seq-len", str(SEQ_LEN)],
                   check=True, cwd=ROOT, capture_output=True)
    return str(out)


def test_to_dataset_holds_the_rows_of_the_shards(packed, tmp_path):
    from ingot.hf import to_dataset
    for dataset in (to_dataset(packed.rows.path), to_dataset(packed.rows.path, cache_file=tmp_path / "rows.arrow")):
        assert len(dataset) == len(packed)
        for i in range(0, len(packed), 5):
            for key, value in packed[i].items():
                assert torch.equal(dataset[i][key], value), (i, key)


@pytest.mark.parametrize("shards", ["packed", "sft"])
def test_trl_sft_trainer_trains_on_the_shards(shards, packed, sft_shards, tmp_path):
    trl = pytest.importorskip("trl", reason="needs TRL (python/tests/requirements.txt)")
    from ingot.hf import to_dataset
    path = packed.rows.path if shards == "packed" else sft_shards
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_file=os.path.join(ROOT, "Samples", "tokenizers", "gpt2", "tokenizer.json"), eos_token="<|endoftext|>",
        pad_token="<|endoftext|>")
    config = trl.SFTConfig(
        output_dir=str(tmp_path), per_device_train_batch_size=4, max_steps=2, report_to=[], use_cpu=True,
        save_strategy="no", dataset_kwargs={"skip_prepare_dataset": True}, remove_unused_columns=False,
        learning_rate=1e-3)
    trainer = trl.SFTTrainer(
        model=tiny_model("sdpa").train(), args=config, train_dataset=to_dataset(path), processing_class=tokenizer,
        data_collator=collate)
    # The batches SFTTrainer feeds the model are ingot.hf.collate's: the loss mask and documents kept.
    batch = next(iter(trainer.get_train_dataloader()))
    assert "attention_mask" not in batch and (batch["labels"] == -100).any()
    assert trainer.train().global_step == 2


def test_trainer_resumed_mid_epoch_sees_exactly_the_rows_it_had_not(packed, tmp_path):
    pytest.importorskip("accelerate", reason="HuggingFace Trainer needs accelerate (python/tests/requirements.txt)")
    from ingot.hf import Trainer

    class Recording(Trainer):
        """Records the rows of every batch trained on (the loader prefetches more)."""
        seen = None

        def training_step(self, model, inputs, *args, **kwargs):
            self.seen.append(inputs["input_ids"].clone())
            return super().training_step(model, inputs, *args, **kwargs)

    def run(output, max_steps, resume=None, save_steps=None):
        arguments = transformers.TrainingArguments(
            str(output), per_device_train_batch_size=4, max_steps=max_steps, report_to=[], use_cpu=True, seed=11,
            save_strategy="steps" if save_steps else "no", save_steps=save_steps or 500, learning_rate=1e-3)
        trainer = Recording(model=tiny_model("sdpa").train(), args=arguments, train_dataset=packed)
        trainer.seen = []
        trainer.train(resume_from_checkpoint=resume)
        return trainer.seen

    whole = run(tmp_path / "whole", 6)
    first = run(tmp_path / "interrupted", 3, save_steps=3)
    rest = run(tmp_path / "interrupted", 6, resume=str(tmp_path / "interrupted" / "checkpoint-3"))
    assert len(whole) == 6 and len(first) == 3 and len(rest) == 3
    assert len(packed) > 6 * 4, "the run must end mid-epoch"
    assert all(torch.equal(a, b) for a, b in zip(whole, first + rest))
    assert not torch.equal(rest[0], whole[0])  # it skipped what the checkpoint had trained on
