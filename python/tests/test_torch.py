import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ingot
from ingot.torch import TorchDataset


@pytest.mark.parametrize("batch_size", [1, 3, 8])
def test_dataloader_with_workers_stacks_any_batch_size(zstd_dataset, batch_size):
    ds = TorchDataset(zstd_dataset)
    sampler = ingot.DistributedResumableSampler(len(ds), rank=0, world_size=2, seed=1)
    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, sampler=sampler, num_workers=2)
    seen = 0
    for batch in loader:
        assert batch["input_ids"].dtype == torch.long
        assert batch["input_ids"].shape[1] == 256
        assert batch["labels"].shape == batch["input_ids"].shape
        seen += batch["input_ids"].shape[0]
    assert seen == len(sampler.indices())
    first = next(iter(torch.utils.data.DataLoader(ds, batch_size=2)))
    np.testing.assert_array_equal(first["input_ids"][0].numpy(), ingot.Dataset(zstd_dataset)[0]["input_ids"])
