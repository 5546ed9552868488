"""The completion manifest of a revision written by build-project."""

from __future__ import annotations

from gordo.util import revision_manifest


def test_a_revision_is_incomplete_from_start_until_marked_complete(tmp_path):
    assert not revision_manifest.is_incomplete(tmp_path)  # unmarked: a `gordo build` revision
    revision_manifest.mark_started(tmp_path, ["a", "b"])
    assert revision_manifest.is_incomplete(tmp_path)
    revision_manifest.mark_complete(tmp_path, {"a": "built", "b": "failed"})
    assert not revision_manifest.is_incomplete(tmp_path)
    assert revision_manifest.read(tmp_path)["machines"] == {"a": "built", "b": "failed"}


def test_an_unreadable_manifest_counts_as_incomplete(tmp_path):
    (tmp_path / revision_manifest.FILE_NAME).write_bytes(b"{not json")
    assert revision_manifest.is_incomplete(tmp_path)
