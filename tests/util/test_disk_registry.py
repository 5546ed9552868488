"""Tests of gordo.util.disk_registry."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from gordo.util import disk_registry
from gordo.util.disk_registry import delete_value, get_value, write_key


def test_write_then_read_roundtrip(tmp_path: Path):
    write_key(tmp_path, "key", "value")
    assert get_value(tmp_path, "key") == "value"
    assert (tmp_path / "key").read_text() == "value"


def test_missing_registry_and_key_give_none(tmp_path: Path):
    assert get_value(tmp_path / "nope", "key") is None
    assert get_value(tmp_path, "key") is None


def test_write_creates_missing_dirs(tmp_path: Path):
    registry = tmp_path / "a" / "b" / "c"
    write_key(str(registry), "k", "v")
    assert get_value(registry, "k") == "v"


def test_overwrite_replaces_value(tmp_path: Path):
    write_key(tmp_path, "k", "a long first value")
    write_key(tmp_path, "k", "short")
    assert get_value(tmp_path, "k") == "short"


def test_bytes_values(tmp_path: Path):
    write_key(tmp_path, "text", b"abc")
    write_key(tmp_path, "binary", b"\xff\x00\xfe")
    assert get_value(tmp_path, "text") == "abc"
    assert get_value(tmp_path, "binary") == b"\xff\x00\xfe"


def test_unicode_values(tmp_path: Path):
    write_key(tmp_path, "k", "øæå ✓")
    assert get_value(tmp_path, "k") == "øæå ✓"


def test_delete(tmp_path: Path):
    write_key(tmp_path, "k", "v")
    assert delete_value(tmp_path, "k") is True
    assert get_value(tmp_path, "k") is None
    assert delete_value(tmp_path, "k") is False
    assert delete_value(tmp_path / "missing-registry", "k") is False


def test_no_temp_files_left_behind(tmp_path: Path):
    for i in range(5):
        write_key(tmp_path, "k", str(i))
    assert os.listdir(tmp_path) == ["k"]


@pytest.mark.parametrize("key", ["", ".", "..", "a/b", "../escape", "nul\0byte"])
def test_invalid_keys_are_refused(tmp_path: Path, key: str):
    with pytest.raises(ValueError, match="not a valid file name"):
        write_key(tmp_path, key, "v")
    with pytest.raises(ValueError, match=str(tmp_path)):
        get_value(tmp_path, key)


def test_failed_write_keeps_old_value_and_leaves_no_temp(tmp_path: Path, monkeypatch):
    write_key(tmp_path, "k", "old")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(disk_registry.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_key(tmp_path, "k", "new")
    assert get_value(tmp_path, "k") == "old"
    assert os.listdir(tmp_path) == ["k"]


def test_concurrent_writers_same_key_never_expose_partial_value(tmp_path: Path):
    values = ["a" * 100_000, "b" * 100_000]
    write_key(tmp_path, "k", values[0])
    seen: set[str] = set()
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            seen.add(get_value(tmp_path, "k"))

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(50):
        write_key(tmp_path, "k", values[i % 2])
    stop.set()
    thread.join()
    assert seen <= set(values)


def test_no_registry_holds_no_value():
    """As documented: ``get_value(None, key)`` is None (no registry configured)."""
    assert get_value(None, "key") is None
