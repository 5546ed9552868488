"""Tests of gordo.util.utils.capture_args."""

from __future__ import annotations

import pytest

from gordo.util.utils import capture_args


class Recorder:
    @capture_args
    def __init__(self, kind, lookback_window: int = 1, *extra, **kwargs):
        self.kind = kind
        self.seen_kwargs = kwargs


def test_positional_args_are_named():
    assert Recorder("a", 3)._params == {"kind": "a", "lookback_window": 3}


def test_defaults_not_passed_are_not_recorded():
    assert Recorder("a")._params == {"kind": "a"}


def test_kwargs_are_flattened_and_method_still_receives_them():
    obj = Recorder(kind="a", epochs=5, batch_size=10)
    assert obj._params == {"kind": "a", "epochs": 5, "batch_size": 10}
    assert obj.seen_kwargs == {"epochs": 5, "batch_size": 10}
    assert obj.kind == "a"


def test_var_positional_kept_under_its_name():
    assert Recorder("a", 2, 7, 8)._params == {"kind": "a", "lookback_window": 2, "extra": (7, 8)}


def test_params_is_a_fresh_dict_per_call():
    kwargs = {"epochs": 1}
    obj = Recorder("a", **kwargs)
    obj._params["epochs"] = 99
    assert kwargs == {"epochs": 1}
    assert Recorder("b")._params == {"kind": "b"}


def test_wrong_call_raises_type_error_like_the_method():
    with pytest.raises(TypeError):
        Recorder()


def test_return_value_and_metadata_preserved():
    class Thing:
        @capture_args
        def setup(self, x, y=2):
            """Doc of setup."""
            return x + y

    thing = Thing()
    assert thing.setup(1, y=5) == 6
    assert thing._params == {"x": 1, "y": 5}
    assert Thing.setup.__doc__ == "Doc of setup."
