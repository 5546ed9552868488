"""patch_dict (seed §1.9.3, spec §2.1) with our list decision (lists are replaced)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gordo.workflow.workflow_generator.helpers import patch_dict

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=10,
)
dicts = st.dictionaries(st.text(max_size=2), values, max_size=4)


def test_nested_merge_keeps_and_adds_keys():
    base = {"a": {"b": 1, "c": {"d": 2}}, "e": 3}
    assert patch_dict(base, {"a": {"c": {"f": 4}}, "g": 5}) == {
        "a": {"b": 1, "c": {"d": 2, "f": 4}},
        "e": 3,
        "g": 5,
    }


def test_type_changes_and_none_replace():
    assert patch_dict({"a": {"b": 1}}, {"a": 7}) == {"a": 7}
    assert patch_dict({"a": 7}, {"a": {"b": 1}}) == {"a": {"b": 1}}
    assert patch_dict({"a": [1]}, {"a": None}) == {"a": None}
    assert patch_dict({"a": None}, {"a": [1]}) == {"a": [1]}
    assert patch_dict({"scoring_scaler": "x"}, {"scoring_scaler": None}) == {"scoring_scaler": None}


def test_lists_are_replaced_not_merged_by_index():
    """QUIRK decision: the original gave [9, 2, 3] and [{n: C, v: 1}, {n: B}]."""
    assert patch_dict({"l": [1, 2, 3]}, {"l": [9]}) == {"l": [9]}
    base = {"env": [{"n": "A", "v": 1}, {"n": "B"}]}
    assert patch_dict(base, {"env": [{"n": "C"}]}) == {"env": [{"n": "C"}]}


def test_empty_patch_and_no_mutation():
    base = {"a": {"b": [1, {"c": 2}]}}
    patch = {"a": {"b": [3]}}
    result = patch_dict(base, {})
    assert result == base and result is not base
    merged = patch_dict(base, patch)
    merged["a"]["b"].append(4)
    assert base == {"a": {"b": [1, {"c": 2}]}} and patch == {"a": {"b": [3]}}
    result["a"]["b"][1]["c"] = 99
    assert base["a"]["b"][1]["c"] == 2


@settings(max_examples=50)
@given(dicts, dicts)
def test_patched_keys_win_and_base_keys_survive(base, patch):
    merged = patch_dict(base, patch)
    assert set(merged) == set(base) | set(patch)
    for key, value in patch.items():
        if not (isinstance(value, dict) and isinstance(base.get(key), dict)):
            assert merged[key] == value
    assert patch_dict(merged, patch) == merged
