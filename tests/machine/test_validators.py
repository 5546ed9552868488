"""Descriptors and resource fixing of gordo.machine.validators (seed §1.4.1, spec §2.7)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gordo.machine.metadata import Metadata
from gordo.machine.validators import (
    BaseDescriptor,
    ValidDataProvider,
    ValidDatasetKwargs,
    ValidDatetime,
    ValidMachineRuntime,
    ValidMetadata,
    ValidModel,
    ValidTagList,
    ValidUrlString,
    fix_resource_limits,
    fix_runtime,
)


class Holder:
    plain = BaseDescriptor()
    url = ValidUrlString()
    when = ValidDatetime()
    tags = ValidTagList()
    kwargs = ValidDatasetKwargs()
    provider = ValidDataProvider()
    metadata = ValidMetadata()
    runtime = ValidMachineRuntime()
    model = ValidModel()
    _strict = False


@pytest.mark.parametrize("value", ["a", "ct-23-0001", "1", "a" * 63, "x-1-y"])
def test_valid_urls(value):
    h = Holder()
    h.url = value
    assert h.url == value
    assert ValidUrlString.valid_url_string(value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("Upper", "not a valid Gordo url value"),
        ("under_score", "not a valid Gordo url value"),
        ("-lead", "not a valid Gordo url value"),
        ("trail-", "not a valid Gordo url value"),
        ("dot.ted", "not a valid Gordo url value"),
        ("a b", "not a valid Gordo url value"),
        ("a" * 64, "should be less than 64 chars"),
        ("", "must be a non-empty string"),
        (None, "must be a non-empty string"),
        (12, "must be a non-empty string"),
    ],
)
def test_invalid_urls_name_the_attribute(value, message):
    with pytest.raises(ValueError, match=f"^url: .*{message}"):
        Holder().url = value
    assert not ValidUrlString.valid_url_string(value)


def test_unset_attribute_and_class_access():
    with pytest.raises(AttributeError, match="'plain' is not set"):
        Holder().plain  # noqa: B018
    assert isinstance(Holder.url, ValidUrlString)
    h = Holder()
    h.plain = object()


def test_valid_datetime():
    h = Holder()
    h.when = datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(ValueError, match="when: must be timezone-aware .*Z or .*\\+00:00"):
        h.when = datetime(2020, 1, 1)
    with pytest.raises(ValueError, match="when: must be a datetime.datetime"):
        h.when = "2020-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "tags", [["a"], ["TAG 1", "TAG 2"], [{"name": "t", "asset": "x"}], ("a", "b")]
)
def test_valid_tag_lists(tags):
    h = Holder()
    h.tags = tags
    assert h.tags == tags


def test_sensor_tag_like_objects_are_tags():
    class Tag:
        name = "t-1"

    Holder().tags = [Tag()]


@pytest.mark.parametrize(
    "tags, message",
    [
        ([], "Requires setting a non-empty list of strings"),
        (None, "Requires setting a non-empty list of strings"),
        ("TAG", "Requires setting a non-empty list of strings"),
        (["a", 1], r"item \[1\]"),
        (["a", ""], r"item \[1\]"),
        ([{"asset": "x"}], r"item \[0\]"),
    ],
)
def test_invalid_tag_lists(tags, message):
    with pytest.raises(ValueError, match=f"^tags: {message}"):
        Holder().tags = tags


GOOD_KWARGS = {
    "tags": ["a", "b"],
    "train_start_date": "2020-01-01T00:00:00+00:00",
    "train_end_date": datetime(2020, 2, 1, tzinfo=UTC),
    "resolution": "10T",
}


def test_valid_dataset_kwargs():
    h = Holder()
    h.kwargs = GOOD_KWARGS
    h.kwargs = {**GOOD_KWARGS, "resolution": None}
    h.kwargs = {**GOOD_KWARGS, "resolution": False, "target_tag_list": ["c"]}
    tag_list_only = {k: v for k, v in GOOD_KWARGS.items() if k != "tags"}
    h.kwargs = {**tag_list_only, "tag_list": ["x"]}
    with pytest.raises(ValueError, match="tags: is required: a non-empty list of tags"):
        h.kwargs = tag_list_only


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tags": []}, "tags: Requires setting a non-empty list"),
        ({"resolution": 10}, "resolution: must be a pandas frequency string"),
        ({"train_start_date": "2020-01-01T00:00:00"}, "train_start_date: must be timezone-aware"),
        (
            {"train_end_date": date(2020, 2, 1)},
            "train_end_date: must be a datetime with a timezone, got the date",
        ),
        ({"train_end_date": "yesterday"}, "train_end_date: must be an ISO 8601 datetime"),
        (
            {"train_end_date": "2019-01-01T00:00:00Z"},
            "train_end_date: must be after train_start_date",
        ),
        (
            {"train_end_date": "2020-01-01T00:00:00Z"},
            "train_end_date: must be after train_start_date",
        ),
        ({"target_tag_list": [3]}, "target_tag_list: item"),
    ],
)
def test_invalid_dataset_kwargs(change, message):
    with pytest.raises(ValueError, match=f"^kwargs: .*{message}"):
        Holder().kwargs = {**GOOD_KWARGS, **change}


def test_legacy_date_keys():
    h = Holder()
    h.kwargs = {"tags": ["a"], "from_ts": "2020-01-01T00:00:00Z", "to_ts": "2020-01-02T00:00:00Z"}
    with pytest.raises(ValueError, match="^kwargs: to_ts: must be timezone-aware"):
        h.kwargs = {
            "tags": ["a"],
            "from_ts": "2020-01-01T00:00:00Z",
            "to_ts": "2020-01-02T00:00:00",
        }


def test_dataset_kwargs_missing_dates_and_not_a_mapping():
    with pytest.raises(
        ValueError, match="^kwargs: train_start_date: is required; train_end_date: is required$"
    ):
        Holder().kwargs = {"tags": ["a"]}
    with pytest.raises(ValueError, match="must be a mapping"):
        Holder().kwargs = ["a"]


def test_valid_data_provider():
    class Provider:
        def load_series(self, *args):
            return iter(())

    h = Holder()
    h.provider = Provider()
    with pytest.raises(ValueError, match="provider: must be a data provider"):
        h.provider = {"type": "RandomDataProvider"}


def test_valid_metadata():
    h = Holder()
    for value in (None, {"a": 1}, Metadata()):
        h.metadata = value
    with pytest.raises(ValueError, match="metadata: must be a dict or Metadata"):
        h.metadata = ["x"]


def test_valid_model_without_building():
    h = Holder()
    h.model = "sklearn.preprocessing.MinMaxScaler"
    h.model = {"sklearn.decomposition.PCA": {"n_components": 2}}
    for bad in ({}, "", None, ["a"]):
        with pytest.raises(ValueError, match="model: model is empty"):
            h.model = bad


def test_valid_machine_runtime_adds_reporters_and_fixes_limits():
    h = Holder()
    h.runtime = {"server": {"resources": {"requests": {"cpu": 20}, "limits": {"cpu": 10}}}}
    assert h.runtime == {
        "server": {"resources": {"requests": {"cpu": 20}, "limits": {"cpu": 20}}},
        "reporters": [],
    }
    with pytest.raises(ValueError, match=r"runtime: reporters: item \[0\]"):
        h.runtime = {"reporters": [1]}
    with pytest.raises(ValueError, match="runtime: reporters: must be a list"):
        h.runtime = {"reporters": "gordo.reporters.postgres.PostgresReporter"}
    with pytest.raises(ValueError, match="runtime: must be a dict"):
        h.runtime = None


def test_fix_resource_limits_examples_and_copy(caplog):
    original = {"requests": {"memory": 121, "cpu": 5}, "limits": {"memory": 120, "cpu": 9}}
    with caplog.at_level(logging.WARNING, logger="gordo.machine.validators"):
        fixed = fix_resource_limits(original)
    assert fixed == {"requests": {"memory": 121, "cpu": 5}, "limits": {"memory": 121, "cpu": 9}}
    assert original["limits"]["memory"] == 120, "input must not be mutated"
    assert "raising the limit" in caplog.text
    assert fix_resource_limits({"limits": {"cpu": 1}}) == {"limits": {"cpu": 1}}


@pytest.mark.parametrize("bad", ["321M", 1.5, True, None])
def test_fix_resource_limits_requires_integers(bad):
    with pytest.raises(
        ValueError, match=f"Resource descriptions must be integers, and '{bad}' is not."
    ):
        fix_resource_limits({"requests": {"memory": bad}})


def test_fix_runtime_names_the_entry_and_does_not_mutate():
    runtime = {
        "builder": {"resources": {"requests": {"cpu": 2}, "limits": {"cpu": 1}}},
        "log_level": "debug",
    }
    fixed = fix_runtime(runtime)
    assert fixed["builder"]["resources"]["limits"]["cpu"] == 2
    assert runtime["builder"]["resources"]["limits"]["cpu"] == 1
    with pytest.raises(
        ValueError, match=r"^influx.resources: Resource descriptions must be integers, and '321M'"
    ):
        fix_runtime({"influx": {"resources": {"requests": {"memory": "321M"}}}})


@given(st.text(alphabet="abcXYZ019-_. ", max_size=70))
def test_valid_url_string_is_a_dns_label(text):
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-")
    expected = (
        0 < len(text) <= 63
        and set(text) <= allowed
        and not text.startswith("-")
        and not text.endswith("-")
    )
    assert ValidUrlString.valid_url_string(text) is expected
    assert (ValidUrlString.problem(text) is None) is expected
