"""Estimators importable by path, used by the serializer tests."""

from __future__ import annotations

from typing import Any


class SelfBuilding:
    """Builds itself from its raw definition parameters, like gordo's Keras wrappers."""

    def __init__(self, received: dict[str, Any]):
        self.received = received

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> SelfBuilding:
        return cls(definition)

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"received": self.received}


class SelfDescribing:
    """Describes itself through into_definition(), returning only its parameters."""

    def __init__(self, kind: str = "default", **kwargs: Any):
        self.kind = kind
        self.kwargs = kwargs

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs}

    def into_definition(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs}


class SelfDescribingWhole(SelfDescribing):
    """Describes itself with a whole ``{import.path: params}`` definition."""

    def into_definition(self) -> dict[str, Any]:
        return {f"{type(self).__module__}.{type(self).__qualname__}": {"kind": self.kind}}


class Strict:
    """A from_definition classmethod that passes its parameters straight to __init__."""

    def __init__(self, kind: str = "a"):
        self.kind = kind

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> Strict:
        return cls(**definition)


class Recording:
    """Writes the file named by $GORDO_TEST_MARKER when constructed: shows who calls it."""

    def __init__(self, n_components: int = 1):
        import os
        from pathlib import Path

        Path(os.environ["GORDO_TEST_MARKER"]).write_text("constructed")
        self.n_components = n_components


class Scaled:
    """A scaler outside gordo and scikit-learn: x / 2, for allow-list builds."""

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {}

    def fit(self, X: Any, y: Any = None) -> Scaled:
        return self

    def transform(self, X: Any) -> Any:
        return X / 2
