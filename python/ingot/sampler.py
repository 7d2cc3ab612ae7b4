"""A distributed, resumable, seeded sampler (no torch dependency; usable as a DataLoader sampler)."""
import math

import numpy as np


class DistributedResumableSampler:
    """Yields this rank's row indices for the current epoch.

    Every epoch is a permutation seeded by ``(seed, epoch)``, identical on all ranks; rank ``r`` of
    ``w`` takes positions ``r, r + w, ...``. Without ``drop_last`` the permutation is padded by
    wrapping around so every rank gets the same count (as torch's DistributedSampler does).

    ``state_dict(consumed=...)`` records the epoch and how many of this rank's indices were
    trained on (e.g. ``steps * batch_size``); ``load_state_dict()`` resumes exactly after them.
    The sampler itself only knows what it handed out, which is more: a DataLoader prefetches
    (``num_workers * prefetch_factor`` batches ahead), so mid-epoch ``state_dict()`` without
    ``consumed`` refuses rather than record rows that were never trained on as done.
    ``len(sampler)`` is this rank's share of an epoch, whatever has been consumed.
    """

    def __init__(self, length, rank=0, world_size=1, seed=0, shuffle=True, drop_last=False):
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside world size {world_size}")
        self.length, self.rank, self.world_size = int(length), rank, world_size
        self.seed, self.shuffle, self.drop_last = seed, shuffle, drop_last
        self.epoch = 0
        self.consumed = 0
        if drop_last:
            self.per_rank = self.length // world_size
        else:
            self.per_rank = math.ceil(self.length / world_size)

    def set_epoch(self, epoch):
        if epoch != self.epoch:
            self.epoch = epoch
            self.consumed = 0

    def indices(self):
        if self.shuffle:
            order = np.random.default_rng([self.seed, self.epoch]).permutation(self.length)
        else:
            order = np.arange(self.length)
        total = self.per_rank * self.world_size
        if total > self.length and self.length > 0:
            order = np.concatenate([order, order[: total - self.length]])
        return order[:total][self.rank::self.world_size]

    def __iter__(self):
        mine = self.indices()
        start = self.consumed
        for position in range(start, len(mine)):
            self.consumed = position + 1
            yield int(mine[position])
        # The epoch is done: the next one starts from its beginning.
        self.epoch += 1
        self.consumed = 0

    def __len__(self):
        return self.per_rank

    def state_dict(self, consumed=None):
        """The state to resume from: pass ``consumed``, the indices of this epoch trained on."""
        if consumed is None:
            if 0 < self.consumed < self.per_rank:
                raise ValueError(
                    f"state_dict() mid-epoch needs consumed=: the sampler has handed out {self.consumed} indices, but a "
                    "DataLoader prefetches, so it cannot know how many were trained on (pass e.g. steps * batch_size)")
            consumed = self.consumed
        if not 0 <= int(consumed) <= self.per_rank:
            raise ValueError(f"consumed={consumed} is outside this rank's {self.per_rank} indices per epoch")
        return {"epoch": self.epoch, "consumed": int(consumed),
                "seed": self.seed, "world_size": self.world_size, "length": self.length}

    def load_state_dict(self, state):
        if state["seed"] != self.seed or state["world_size"] != self.world_size or state["length"] != self.length:
            raise ValueError("sampler state is for a different seed, world size or dataset length")
        self.epoch = state["epoch"]
        self.consumed = state["consumed"]
