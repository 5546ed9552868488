"""The config reference (docs/config-reference.md), generated from the code.

Keys and defaults are read from the classes that take them (``Machine``,
``TimeSeriesDataset``, the providers, ``NormalizedConfig``'s default globals,
the model registry); only the one-line descriptions are written here. A test
checks that every key the code takes has a description and that the committed
document equals :func:`render`, so the reference cannot drift from the code.

>>> text = render()
>>> "| `train_start_date` |" in text and "| `cv_mode` |" in text
True
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from typing import Any

PROJECT_KEYS = {
    "machines": "The machines: a non-empty list (see Machine).",
    "globals": "Defaults for every machine: `dataset`, `model`, `evaluation`, `metadata`, `runtime`.",
    "allowed_imports": "Packages (import prefixes) definitions may name besides gordo, sklearn, "
    "keras, numpy and scipy; `GORDO_ALLOWED_IMPORTS` adds more (comma-separated).",
}

MACHINE_KEYS = {
    "name": "Machine name: a DNS-1123 label (lowercase letters, digits, `-`; at most 63 characters).",
    "dataset": "Where the data comes from and how it is prepared (see Dataset).",
    "model": "The estimator as a definition: `{import.path: {param: value}}` or an import path.",
    "evaluation": "How the model is evaluated before the final fit (see Evaluation).",
    "metadata": "Free-form user metadata, kept with the model and served by `/metadata`.",
    "runtime": "Kubernetes resources and settings of the builder, server and client, and reporters.",
    "project_name": "Set from the project (file name or `metadata.name`), not per machine.",
}

DATASET_KEYS = {
    "type": "Dataset class: `TimeSeriesDataset`, `RandomDataset`, or an import path.",
    "train_start_date": "Start of the training period, ISO 8601 with a timezone (inclusive).",
    "train_end_date": "End of the training period, ISO 8601 with a timezone (exclusive).",
    "tag_list": "Input tags (`tags` is accepted too): names, or `{name, asset}` mappings.",
    "target_tag_list": "Output tags of the model; the input tags when omitted.",
    "additional_tags": "Tags fetched for the row filter only, not given to the model.",
    "default_tag": "Defaults for tags given as mappings (e.g. their `asset`).",
    "asset": "Asset of tags that do not name one (the folder of the data lake).",
    "data_provider": "Where tags are read: `{type: <provider>, ...}` (see Data providers).",
    "resolution": "Resampling period, a pandas frequency; legacy aliases (`10T`, `48H`) work.",
    "aggregation_methods": "Aggregation per resampling bucket; a list gives two-level columns.",
    "interpolation_method": "`linear_interpolation` or `ffill`, used to fill resampled gaps.",
    "interpolation_limit": "Longest gap filled by interpolation (a pandas timedelta); null for none.",
    "row_filter": "Expression(s) over tag names; rows where it is false are dropped.",
    "row_filter_buffer_size": "Rows dropped on each side of a row removed by the row filter.",
    "known_filter_periods": "Expressions over the index (e.g. `~('2020-03-01' <= index < ...)`).",
    "filter_periods": "Noise filter: `{filter_method, window, ...}`, method `median`, `iforest` or `all`.",
    "n_samples_threshold": "Fewest rows allowed after filtering; fewer raise InsufficientDataError.",
}

EVALUATION_KEYS = {
    "cv_mode": "`full_build` (cross-validate, then fit on all data), `cross_val_only`, `build_only`.",
    "cv": "Splitter as a definition; default `sklearn.model_selection.TimeSeriesSplit` (3 splits).",
    "scoring_scaler": "Scaler fitted on the targets so that scores compare across tags.",
    "metrics": "Metric function names or import paths, scored per fold and per target tag.",
    "seed": "Random seed of the build; the same seed and data give the same model.",
}


def _default(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return "required"
    return f"`{json.dumps(value, default=str)}`"


def _table(rows: Iterator[tuple[str, str, str]]) -> list[str]:
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {default} | {meaning} |" for key, default, meaning in rows]
    return lines


def constructor_keys(cls: type) -> dict[str, Any]:
    """Keyword parameters of ``cls.__init__`` with their defaults (``empty`` if required)."""
    params = inspect.signature(cls.__init__).parameters
    return {
        name: p.default
        for name, p in params.items()
        if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else key, sub)
    else:
        yield prefix, value


def render() -> str:
    """The whole config reference as Markdown."""
    from gordo.builder.build_model import DEFAULT_SEED
    from gordo.dataset.datasets import TimeSeriesDataset
    from gordo.dataset.registry import SHORT_NAMES
    from gordo.machine import Machine
    from gordo.machine.model.register import register_model_builder, registered_kinds
    from gordo.workflow.config_elements.normalized_config import NormalizedConfig

    defaults = NormalizedConfig.DEFAULT_CONFIG_GLOBALS
    machine = constructor_keys(Machine)
    dataset = {"type": "TimeSeriesDataset", **constructor_keys(TimeSeriesDataset)}
    evaluation = {"cv": None, "seed": DEFAULT_SEED, **defaults["evaluation"]}
    registered_kinds([])  # imports the factory modules, which register themselves
    out = [
        "# Config reference",
        "",
        "Generated from the code by `gordo config reference`; do not edit by hand.",
        "A project file holds `machines` (a list), `globals` (defaults for every",
        "machine) and optionally `allowed_imports`; a machine's own keys win over",
        "`globals`, which win over the defaults below. The Kubernetes-style document",
        "(`apiVersion`, `kind: Gordo`,",
        "`spec.config`) holds the same keys under `spec.config`. Unknown keys are errors.",
        "",
        "## Project",
        "",
        "| key | meaning |",
        "|---|---|",
        *(f"| `{k}` | {d} |" for k, d in PROJECT_KEYS.items()),
        "",
        "## Machine",
        "",
        *_table((k, _default(machine.get(k, inspect.Parameter.empty)), d)
                for k, d in MACHINE_KEYS.items()),
        "",
        "## Dataset (`dataset`)",
        "",
        *_table((k, _default(dataset[k]), d) for k, d in DATASET_KEYS.items()),
        "",
        "Data providers (`dataset.data_provider.type`): "
        + ", ".join(f"`{name}`" for name in sorted(SHORT_NAMES["provider"]))
        + ", or the import path of your own class; see [data-providers.md](data-providers.md).",
        "",
        "## Model (`model`)",
        "",
        "Any scikit-learn compatible estimator, written as a definition. The Keras",
        "wrappers take `kind`, the name of a registered factory:",
        "",
        *(
            f"- `{wrapper}`: " + ", ".join(f"`{k}`" for k in sorted(kinds))
            for wrapper, kinds in sorted(register_model_builder.factories.items())
        ),
        "",
        "## Evaluation (`evaluation`)",
        "",
        *_table((k, _default(evaluation.get(k)), d) for k, d in EVALUATION_KEYS.items()),
        "",
        "## Runtime (`runtime`)",
        "",
        "Resources are Kubernetes requests and limits (memory in MiB, cpu in millicores).",
        "",
        "| key | default |",
        "|---|---|",
        *(f"| `{key}` | {_default(value)} |" for key, value in _flatten("", defaults["runtime"])),
        "",
    ]
    return "\n".join(out)
