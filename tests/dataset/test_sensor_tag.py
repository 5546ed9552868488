"""SensorTag and tag-list normalisation (spec §1)."""

import pickle

import pytest

from gordo.dataset.sensor_tag import (
    SensorTag,
    normalize_sensor_tag,
    normalize_sensor_tags,
    to_list_of_strings,
)
from gordo.exceptions import ConfigException, SensorTagNormalizationError


def test_equality_hash_and_fields():
    a = SensorTag("T", asset="x", unit="bar")
    assert a == SensorTag("T", "x", unit="bar")
    assert a != SensorTag("T", "x")
    assert a != {"name": "T", "asset": "x", "unit": "bar"}
    assert SensorTag("T") != "T"
    assert hash(SensorTag("T", None)) == hash(SensorTag("T", None, extra=None))
    assert a.unit == "bar"
    with pytest.raises(AttributeError):
        a.missing  # noqa: B018
    with pytest.raises(AttributeError):
        a.asset = "y"


def test_json_round_trip_and_pickle():
    tag = SensorTag("Test tag", field1="value1")
    assert tag.to_json() == {"name": "Test tag", "asset": None, "field1": "value1"}
    assert SensorTag.from_json(tag.to_json()) == tag
    assert pickle.loads(pickle.dumps(tag)) == tag
    assert repr(tag) == 'SensorTag("Test tag",asset=None,field1="value1")'


@pytest.mark.parametrize("bad", [42, None, "", ["A", "b"], ("A",)])
def test_bad_entries(bad):
    with pytest.raises(SensorTagNormalizationError):
        normalize_sensor_tag(bad)


def test_non_string_field():
    with pytest.raises(SensorTagNormalizationError, match="Wrong value 1 type for 'asset'"):
        SensorTag("A", asset=1)


def test_mapping_without_name():
    with pytest.raises(SensorTagNormalizationError, match="does not have name"):
        normalize_sensor_tag({"asset": "x"})


def test_defaults_and_mapping_override():
    tags = normalize_sensor_tags(
        ["A", {"name": "B", "asset": "other"}, SensorTag("C", "kept")], asset="plant"
    )
    assert tags == [SensorTag("A", "plant"), SensorTag("B", "other"), SensorTag("C", "kept")]
    assert to_list_of_strings(tags) == ["A", "B", "C"]


def test_required_fields():
    with pytest.raises(SensorTagNormalizationError, match="does not have 'asset'"):
        normalize_sensor_tags(["A"], required_fields=("asset",))
    assert normalize_sensor_tags(["A"], asset="x", required_fields=("asset",))[0].asset == "x"


def test_default_tag_and_asset_conflict():
    with pytest.raises(ConfigException, match="can not be specified simultaneously"):
        normalize_sensor_tags(["A"], asset="x", default_tag={"asset": "y"})


def test_exact_duplicates_removed_with_warning(caplog):
    """Decision: exact duplicates are removed (first kept) and logged."""
    tags = normalize_sensor_tags(["A", "B", "A"], key="tag_list")
    assert to_list_of_strings(tags) == ["A", "B"]
    assert "duplicate tag 'A'" in caplog.text


def test_conflicting_duplicates_rejected():
    with pytest.raises(ValueError, match="with the same name but different fields"):
        normalize_sensor_tags(["A", {"name": "A", "asset": "x"}])


def test_empty_and_null_lists():
    with pytest.raises(ValueError, match="Requires setting a non-empty list of strings"):
        normalize_sensor_tags([])
    with pytest.raises(ConfigException):
        normalize_sensor_tags(None)


def test_gordo_dataset_alias():
    from gordo_dataset.sensor_tag import SensorTag as Legacy

    assert Legacy is SensorTag


def test_gordo_dataset_module_paths():
    import gordo_dataset.base
    import gordo_dataset.data_provider.providers
    import gordo_dataset.data_providers.providers
    import gordo_dataset.datasets
    import gordo_dataset.time_series

    from gordo.dataset import base, datasets
    from gordo.dataset.data_provider import providers

    assert gordo_dataset.base.GordoBaseDataset is base.GordoBaseDataset
    assert gordo_dataset.datasets.TimeSeriesDataset is datasets.TimeSeriesDataset
    assert gordo_dataset.time_series.RandomDataset is datasets.RandomDataset
    assert gordo_dataset.data_provider.providers.RandomDataProvider is providers.RandomDataProvider
    assert gordo_dataset.data_providers.providers.InfluxDataProvider is providers.InfluxDataProvider
    with pytest.raises(ModuleNotFoundError):
        import gordo_dataset.no_such_module  # noqa: F401


def test_dataset_layer_imports_no_deep_learning_framework():
    import subprocess
    import sys

    code = (
        "import sys, gordo.dataset.datasets, gordo.dataset.data_provider.providers, gordo_dataset.sensor_tag;"
        "print([m for m in ('keras', 'jax', 'tensorflow', 'torch', 'sklearn') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
