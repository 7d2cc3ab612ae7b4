"""Trainer-side reader for Ingot token shards."""
from .format import FormatError, load_index
from .dataset import Dataset, cu_seqlens, position_ids_from_segments
from .sampler import DistributedResumableSampler

__all__ = ["Dataset", "DistributedResumableSampler", "FormatError", "load_index", "cu_seqlens", "position_ids_from_segments"]
