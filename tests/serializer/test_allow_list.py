"""The allow-list of import prefixes, for every place a config names a class or function."""

from __future__ import annotations

import pytest

from gordo.dataset.datasets import GordoBaseDataset
from gordo.exceptions import ConfigException, ConfigValidationError, DefinitionNotAllowedError
from gordo.machine.model.models import KerasAutoEncoder
from gordo.reporters.base import BaseReporter
from gordo.serializer import check_definition, from_definition
from gordo.serializer.allow_list import allowed_prefixes, allowing, is_allowed
from gordo.workflow.config_elements.normalized_config import NormalizedConfig

DATASET = {
    "tags": ["a", "b"],
    "train_start_date": "2020-01-01T00:00:00Z",
    "train_end_date": "2020-01-02T00:00:00Z",
}


def test_prefixes_match_whole_package_names(monkeypatch):
    monkeypatch.delenv("GORDO_ALLOWED_IMPORTS", raising=False)
    assert is_allowed("sklearn") and is_allowed("tensorflow.keras.layers.Dense")
    assert not is_allowed("sklearn_evil.Model") and not is_allowed("tensorflow.math.add")
    monkeypatch.setenv("GORDO_ALLOWED_IMPORTS", "my_pkg, other.sub")
    assert is_allowed("my_pkg.X") and is_allowed("other.sub.Y") and not is_allowed("other.Z")
    with allowing(["from_config"]):
        assert "from_config" in allowed_prefixes()
    assert "from_config" not in allowed_prefixes()


@pytest.mark.parametrize(
    "definition",
    [
        "os.system",
        {"subprocess.Popen": {"args": ["true"]}},
        {"builtins.eval": {}},
        {"gordo.demo.subprocess.Popen": {"args": ["true"]}},  # a module attribute of gordo
        {"sklearn.pipeline.Pipeline": {"steps": ["sklearn.preprocessing.MinMaxScaler",
                                                 {"shutil.rmtree": {"path": "/nonexistent"}}]}},
        {"sklearn.compose.TransformedTargetRegressor": {"func": "os.getcwd"}},
    ],
)
def test_building_and_checking_refuse_names_outside_the_list(definition):
    for use in (from_definition, check_definition):
        with pytest.raises(DefinitionNotAllowedError, match="is not allowed"):
            use(definition)


def test_keras_kind_and_callbacks_are_covered():
    with pytest.raises(DefinitionNotAllowedError, match="'os.system' is not allowed"):
        KerasAutoEncoder.from_definition({"kind": "os.system"})
    callback = {"kind": "feedforward_hourglass", "callbacks": [{"subprocess.Popen": {}}]}
    with pytest.raises(DefinitionNotAllowedError, match="'subprocess.Popen' is not allowed"):
        check_definition({"gordo.machine.model.models.KerasAutoEncoder": callback})


def test_dataset_and_provider_types_are_covered():
    with pytest.raises(DefinitionNotAllowedError, match="'subprocess.Popen' is not allowed"):
        GordoBaseDataset.from_dict({**DATASET, "data_provider": {"type": "subprocess.Popen"}})
    with pytest.raises(ConfigException, match="'os.system' is not allowed"):
        GordoBaseDataset.from_dict({**DATASET, "type": "os.system"})


def test_reporters_are_covered():
    with pytest.raises(DefinitionNotAllowedError, match="'subprocess.Popen' is not allowed"):
        BaseReporter.from_dict({"subprocess.Popen": {"args": ["true"]}})


def test_the_project_list_reaches_validation_and_builder_pods(monkeypatch):
    monkeypatch.delenv("GORDO_ALLOWED_IMPORTS", raising=False)  # conftest allows 'tests'

    machine = {"name": "m-1", "dataset": {**DATASET, "data_provider": {
        "type": "tests.dataset.test_datasets.RampProvider"}},
        "model": "tests.serializer.custom_estimators.Strict"}
    with pytest.raises(ConfigValidationError, match="is not allowed"):
        NormalizedConfig({"machines": [machine]}, "p")
    config = {"machines": [machine], "allowed_imports": ["tests.dataset", "tests.serializer"]}
    normalized = NormalizedConfig(config, "p")
    assert normalized.machines[0].dataset.data_provider.__class__.__name__ == "RampProvider"
    assert {"name": "GORDO_ALLOWED_IMPORTS", "value": "tests.dataset,tests.serializer"} in (
        normalized.globals["runtime"]["builder"]["env"]
    )
    with pytest.raises(ConfigValidationError, match=r"allowed_imports: \[0\]: must be a dotted"):
        NormalizedConfig({**config, "allowed_imports": ["bad name"]}, "p")


@pytest.mark.parametrize(
    "definition",
    [
        {"gordo.serializer.loads": {"bytes_object": b"not even a pickle"}},
        {"gordo.serializer.serializer.loads": {"bytes_object": b"x"}},
        {"numpy.load": {"file": "x.npy", "allow_pickle": True}},
        {"keras.utils.get_file": {"origin": "http://example.invalid/x"}},
        {"sklearn.datasets.fetch_openml": {"name": "x"}},
        {"sklearn.pipeline.Pipeline": {"steps": [{"numpy.load": {"file": "x.npy"}}]}},
    ],
)
def test_allowed_packages_parts_that_load_pickles_or_touch_files_are_refused(
    definition, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    for build in (check_definition, from_definition):
        with pytest.raises(DefinitionNotAllowedError, match="not even through allowed_imports"):
            build(definition)
    with allowing(["numpy", "gordo.serializer"]), pytest.raises(DefinitionNotAllowedError):
        from_definition(definition)
