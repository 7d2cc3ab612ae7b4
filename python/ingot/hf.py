"""HuggingFace collators: batches of Ingot rows that go straight into ``model(**batch)`` and keep
the documents of a packed row apart.

A packed row holds several documents (``segment_ids`` 1, 2, ...), padding is ``segment_ids``
0. Trained as one sequence, the second document would attend to the first and its first token
would be predicted from the end of the first. ``collate`` prevents both:

- **Attention**: no ``attention_mask``, ``position_ids`` restarting at 0 at every document, and
  ``use_cache=False``: transformers then finds the packed documents from the position ids and
  keeps them apart (eager and sdpa: tested; flash attention reads the same position ids). (With a
  key-value cache it skips that detection, hence ``use_cache=False``; a 2-D ``attention_mask``
  would turn it off too.)
- **Loss**: ``labels`` are -100 on padding, where the loss mask is 0, and on each document's
  first token, so no document is trained to predict the next one.

``make_collator`` gives the other forms: a 4-D block-diagonal mask, or, for the rare user who
wants it, attention across documents.

    from torch.utils.data import DataLoader
    from ingot.torch import TorchDataset
    from ingot.hf import collate

    loader = DataLoader(TorchDataset("shards/pretrain"), batch_size=8, collate_fn=collate)
    for batch in loader:
        loss = model(**batch).loss
"""
import torch

from .dataset import Dataset
from .sampler import DistributedResumableSampler

__all__ = ["collate", "make_collator", "to_dataset", "Trainer", "ATTENTION_MODES"]

#: What ``make_collator(attention=...)`` accepts.
ATTENTION_MODES = ("position_ids", "4d", "cross_document")


def _stack(features, key):
    return torch.stack([torch.as_tensor(f[key]) for f in features])


def _document_starts(segment_ids):
    """True at the first token of every document (not at padding)."""
    starts = segment_ids != 0
    starts[:, 1:] &= segment_ids[:, 1:] != segment_ids[:, :-1]
    return starts


def _positions(segment_ids):
    """Position ids restarting at 0 at every document; 0 on padding (so each padding token is a
    sequence of its own to transformers' packed-sequence detection)."""
    length = segment_ids.shape[-1]
    index = torch.arange(length).expand_as(segment_ids)
    starts = torch.ones_like(segment_ids, dtype=torch.bool)
    starts[:, 1:] = segment_ids[:, 1:] != segment_ids[:, :-1]
    first = torch.cummax(torch.where(starts, index, torch.zeros_like(index)), dim=-1).values
    positions = index - first
    positions[segment_ids == 0] = 0
    return positions


def _segments(features):
    """The rows' segment ids; rebuilt from ``attention_mask`` and ``position_ids`` when Trainer has
    removed the column (it drops what the model's ``forward`` does not take)."""
    if "segment_ids" in features[0]:
        return _stack(features, "segment_ids").long()
    if "attention_mask" not in features[0] or "position_ids" not in features[0]:
        raise KeyError("rows need segment_ids, or attention_mask and position_ids (as ingot.torch.TorchDataset gives them)")
    real = _stack(features, "attention_mask").bool()
    starts = real & (_stack(features, "position_ids") == 0)
    return torch.cumsum(starts.long(), dim=-1) * real.long()


def _labels(features, input_ids, segment_ids):
    if "labels" in features[0]:
        labels = _stack(features, "labels").long().clone()
    else:
        labels = torch.where(segment_ids != 0, input_ids, torch.full_like(input_ids, -100))
    labels[segment_ids == 0] = -100
    labels[_document_starts(segment_ids)] = -100
    return labels


def make_collator(attention="position_ids"):
    """A collate function for ``DataLoader`` or HuggingFace ``Trainer`` (``data_collator=``).

    ``attention``:

    - ``"position_ids"`` (default, what ``collate`` is): documents kept apart through position
      ids, no ``attention_mask``, ``use_cache=False``: eager and sdpa (tested); flash attention
      reads the same position ids.
    - ``"4d"``: a 4-D additive block-diagonal causal mask ``(batch, 1, seq_len, seq_len)`` in
      float32, for eager and sdpa. It costs ``4 * batch * seq_len**2`` bytes (537 MB at 8 x 4096).
    - ``"cross_document"``: an ``attention_mask`` of the real tokens: documents of a row attend
      to those before them (as if concatenated), and each document's first token keeps its label.
      Only for a model meant to see packed neighbours; padding is still masked.
    """
    if attention not in ATTENTION_MODES:
        raise ValueError(f"attention must be one of {', '.join(ATTENTION_MODES)}, not {attention!r}")

    def collate_rows(features):
        input_ids = _stack(features, "input_ids").long()
        segment_ids = _segments(features)
        real = segment_ids != 0
        if attention == "cross_document":
            labels = _stack(features, "labels").long() if "labels" in features[0] else \
                torch.where(real, input_ids, torch.full_like(input_ids, -100))
            positions = torch.cumsum(real.long(), dim=-1) - 1
            return {"input_ids": input_ids, "attention_mask": real.long(),
                    "position_ids": positions.clamp(min=0), "labels": labels}
        batch = {"input_ids": input_ids, "position_ids": _positions(segment_ids),
                 "labels": _labels(features, input_ids, segment_ids), "use_cache": False}
        if attention == "4d":
            length = segment_ids.shape[-1]
            causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
            same = (segment_ids[:, :, None] == segment_ids[:, None, :]) & real[:, :, None]
            # Padding attends to itself only, so no row of the mask is empty.
            allowed = (causal & same) | torch.eye(length, dtype=torch.bool)
            batch["attention_mask"] = torch.where(
                allowed, 0.0, torch.finfo(torch.float32).min).to(torch.float32)[:, None]
        return batch

    collate_rows.attention = attention
    return collate_rows


#: The default collator: documents kept apart through position ids (see the module docstring).
collate = make_collator()


def to_dataset(path, cache_file=None, columns=("input_ids", "attention_mask", "position_ids", "labels", "segment_ids")):
    """The rows as a HuggingFace ``datasets.Dataset`` (torch-formatted), for TRL's ``SFTTrainer``
    and Unsloth: the same columns and values as ``ingot.Dataset``, built frame by frame into Arrow
    arrays (no row goes through Python lists).

    With ``cache_file``, the Arrow data is written there and memory-mapped (a dataset larger than
    memory); without, it is held in memory. Train with ``data_collator=ingot.hf.collate`` and
    ``SFTConfig(dataset_kwargs={"skip_prepare_dataset": True}, remove_unused_columns=False)``: the
    rows are already tokenized, the collator keeps packed documents apart and applies the loss
    mask, and it needs ``segment_ids``, which TRL would otherwise drop.
    """
    import datasets
    import pyarrow as pa

    from .export import arrow_batches

    rows = Dataset(path)
    schema, batches = arrow_batches(rows, columns)
    if cache_file is None:
        dataset = datasets.Dataset(datasets.table.InMemoryTable(pa.Table.from_batches(list(batches), schema=schema)))
    else:
        with pa.OSFile(str(cache_file), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
        dataset = datasets.Dataset.from_file(str(cache_file))
    if len(dataset) != len(rows):
        raise RuntimeError(f"{path}: built {len(dataset)} rows for {len(rows)}")
    return dataset.with_format("torch")


def _trainer_class():
    import transformers

    class Trainer(transformers.Trainer):
        """HuggingFace ``Trainer`` for Ingot shards: ``ingot.hf.collate`` as the default collator
        (``remove_unused_columns`` off, so ``segment_ids`` reach it), and rows drawn by
        ``DistributedResumableSampler`` seeded with ``args.data_seed`` (else ``args.seed``), one
        permutation per epoch. ``accelerate`` shards its batches across processes, and
        ``trainer.train(resume_from_checkpoint=...)`` skips the batches the checkpoint had
        trained on (``skip_first_batches``): the resumed run sees exactly the rows it had not.
        """

        def __init__(self, *args, data_collator=None, **kwargs):
            super().__init__(*args, data_collator=data_collator or collate, **kwargs)
            self.args.remove_unused_columns = False

        def _get_train_sampler(self, train_dataset=None):
            dataset = train_dataset if train_dataset is not None else self.train_dataset
            seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
            return DistributedResumableSampler(len(dataset), seed=seed)

    return Trainer


def __getattr__(name):
    # transformers is imported only when the Trainer is asked for.
    if name == "Trainer":
        trainer = _trainer_class()
        globals()["Trainer"] = trainer
        return trainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
