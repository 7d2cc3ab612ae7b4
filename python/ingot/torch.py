"""PyTorch adapter: the same rows as torch tensors, safe with DataLoader(num_workers > 0)."""
import torch
from torch.utils.data import Dataset as _TorchDataset

from .dataset import Dataset


class TorchDataset(_TorchDataset):
    """``ingot.Dataset`` whose items are dicts of ``torch.long`` tensors of shape ``(seq_len,)``.

    Every row has the same length, so the default collate stacks any batch size into
    ``(batch, seq_len)``: the ragged-batch error cannot happen.
    """

    def __init__(self, path, **kwargs):
        self.rows = Dataset(path, **kwargs)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return {k: torch.from_numpy(v) for k, v in self.rows[index].items()}
