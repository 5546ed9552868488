"""Metadata dataclasses (seed §1.4.3): dict/JSON round trips, defaults and schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from gordo import __version__
from gordo.machine.metadata import (
    BuildMetadata,
    CrossValidationMetaData,
    DatasetBuildMetadata,
    Metadata,
    ModelBuildMetadata,
)


def _full() -> Metadata:
    return Metadata(
        user_defined={"global-metadata": {"a": 1}, "machine-metadata": {"nested": [{"ok": True}]}},
        build_metadata=BuildMetadata(
            model=ModelBuildMetadata(
                model_offset=12,
                model_creation_date="2020-01-01 00:00:00+00:00",
                cross_validation=CrossValidationMetaData(
                    scores={"r2-score": {"fold-1": 0.9}},
                    cv_duration_sec=1.5,
                    splits={"fold-1-n-train": 10},
                ),
                model_training_duration_sec=2.0,
                model_meta={"history": {"loss": [1.0, 0.5]}},
            ),
            dataset=DatasetBuildMetadata(query_duration_sec=0.3, dataset_meta={"x_hist": {}}),
        ),
    )


def test_defaults_match_the_documentation():
    m = Metadata()
    assert m.user_defined == {}
    model = m.build_metadata.model
    assert (model.model_offset, model.model_creation_date) == (0, None)
    assert model.model_builder_version == __version__
    assert model.cross_validation == CrossValidationMetaData({}, None, {})
    assert model.model_training_duration_sec is None and model.model_meta == {}
    assert m.build_metadata.dataset == DatasetBuildMetadata(None, {})


def test_default_factories_are_not_shared():
    a, b = Metadata(), Metadata()
    a.user_defined["x"] = 1
    a.build_metadata.model.model_meta["y"] = 2
    assert b.user_defined == {} and b.build_metadata.model.model_meta == {}


@pytest.mark.parametrize(
    "cls",
    [Metadata, BuildMetadata, ModelBuildMetadata, CrossValidationMetaData, DatasetBuildMetadata],
)
def test_every_class_round_trips_through_dict_and_json(cls):
    obj = cls()
    assert cls.from_dict(obj.to_dict()) == obj
    assert cls.from_json(obj.to_json()) == obj


def test_full_round_trip_and_shape():
    m = _full()
    d = m.to_dict()
    assert d["build_metadata"]["model"]["cross_validation"]["scores"] == {
        "r2-score": {"fold-1": 0.9}
    }
    assert d["build_metadata"]["dataset"] == {
        "query_duration_sec": 0.3,
        "dataset_meta": {"x_hist": {}},
    }
    assert Metadata.from_dict(d) == m
    assert Metadata.from_json(m.to_json(indent=2)) == m
    assert isinstance(
        Metadata.from_dict(d).build_metadata.model.cross_validation, CrossValidationMetaData
    )


def test_to_dict_returns_copies():
    m = _full()
    d = m.to_dict()
    d["user_defined"]["global-metadata"]["a"] = 99
    assert m.user_defined["global-metadata"]["a"] == 1


def test_from_dict_fills_missing_and_ignores_unknown_keys():
    m = Metadata.from_dict(
        {"user_defined": {"k": "v"}, "unknown": 1, "build_metadata": {"model": {}}}
    )
    assert m == Metadata(user_defined={"k": "v"})


def test_from_dict_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="Metadata.from_dict needs a mapping"):
        Metadata.from_dict(["not", "a", "dict"])


def test_encode_json_converts_numpy_and_datetimes():
    m = ModelBuildMetadata(
        model_meta={
            "n": np.int64(4),
            "loss": np.array([0.5, 0.25]),
            "at": datetime(2020, 1, 1, tzinfo=UTC),
        }
    )
    raw = m.to_dict()
    assert isinstance(raw["model_meta"]["n"], np.int64)
    enc = m.to_dict(encode_json=True)
    assert enc["model_meta"] == {"n": 4, "loss": [0.5, 0.25], "at": "2020-01-01 00:00:00+00:00"}
    assert json.loads(m.to_json())["model_meta"]["n"] == 4


def test_from_json_passes_parse_options():
    m = CrossValidationMetaData.from_json('{"cv_duration_sec": 1.25}', parse_float=str)
    assert m.cv_duration_sec == "1.25"


def test_infer_missing_only_touches_fields_without_defaults():
    assert Metadata.from_dict({}, infer_missing=True) == Metadata()


def test_schema_validate_load_and_dump():
    schema = Metadata.schema()
    good = _full().to_dict()
    assert schema.validate(good) == {}
    assert schema.load(good) == _full()
    assert schema.dump(_full()) == good
    assert schema.loads(schema.dumps(_full())) == _full()
    bad = {
        "build_metadata": {
            "model": {"model_offset": "12", "cross_validation": {"cv_duration_sec": "x"}}
        }
    }
    assert schema.validate(bad) == {
        "build_metadata": {
            "model": {
                "model_offset": ["expected int, got '12'"],
                "cross_validation": {"cv_duration_sec": ["expected float, got 'x'"]},
            }
        }
    }
    with pytest.raises(ValueError, match="Invalid Metadata"):
        schema.load(bad)


def test_schema_options():
    assert ModelBuildMetadata.schema(only=["model_offset"]).dump(ModelBuildMetadata()) == {
        "model_offset": 0
    }
    dumped = DatasetBuildMetadata.schema(exclude=["dataset_meta"], many=True).dump(
        [DatasetBuildMetadata()] * 2
    )
    assert dumped == [{"query_duration_sec": None}] * 2
    assert DatasetBuildMetadata.schema(unknown="raise").validate({"oops": 1}) == {
        "oops": ["unknown field"]
    }
    assert DatasetBuildMetadata.schema().validate({"oops": 1}) == {}
    assert ModelBuildMetadata.schema().validate({"model_offset": True}) == {
        "model_offset": ["expected int, got True"]
    }
    assert CrossValidationMetaData.schema().validate({"cv_duration_sec": None, "scores": None}) == {
        "scores": ["field may not be null"]
    }
    assert Metadata.schema(many=True).validate({}) == {"_schema": ["expected a list"]}
    loaded = DatasetBuildMetadata.schema(dump_only=["query_duration_sec"]).load(
        {"query_duration_sec": 1.0}
    )
    assert loaded.query_duration_sec is None
    assert DatasetBuildMetadata.schema(load_only=["dataset_meta"]).dump(DatasetBuildMetadata()) == {
        "query_duration_sec": None
    }


@pytest.mark.parametrize("cls", [Metadata, BuildMetadata, ModelBuildMetadata])
def test_from_dict_accepts_its_own_instance(cls):
    """``Metadata.from_dict(Metadata())``: the dataclass accepts its own instance, as the
    original's (dataclasses-json) did; nested instances stay as they are."""
    instance = cls()
    assert cls.from_dict(instance) is instance
    nested = Metadata.from_dict({"build_metadata": BuildMetadata(), "user_defined": {"a": 1}})
    assert nested.build_metadata == BuildMetadata() and nested.user_defined == {"a": 1}
