"""Helpers of the workflow generator: :func:`patch_dict`, the merge of config sections."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def patch_dict(original_dict: dict, patch_dictionary: dict) -> dict:
    """A new dict: ``patch_dictionary`` overlaid on ``original_dict``; nothing is removed.

    Mappings merge key by key, recursively. Any other value in the patch,
    lists included, replaces the original value outright (the original merged
    lists by index; see docs/decisions.md, Foundation). Neither input is mutated.

    >>> patch_dict({"highKey":{"lowkey1":1, "lowkey2":2}}, {"highKey":{"lowkey1":10}})
    {'highKey': {'lowkey1': 10, 'lowkey2': 2}}
    >>> patch_dict({"highKey":{"lowkey1":1, "lowkey2":2}}, {"highKey":{"lowkey3":3}})
    {'highKey': {'lowkey1': 1, 'lowkey2': 2, 'lowkey3': 3}}
    >>> patch_dict({"highKey":{"lowkey1":1, "lowkey2":2}}, {"highKey2":4})
    {'highKey': {'lowkey1': 1, 'lowkey2': 2}, 'highKey2': 4}
    >>> patch_dict({"metrics": ["r2_score", "mean_squared_error"]}, {"metrics": ["r2_score"]})
    {'metrics': ['r2_score']}
    """
    merged: dict[Any, Any] = copy.deepcopy(dict(original_dict))
    for key, value in patch_dictionary.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = patch_dict(dict(base), dict(value))
        else:
            merged[key] = copy.deepcopy(value)
    return merged
