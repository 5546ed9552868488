"""Build every machine of a config locally: a quick way to check a config before deploying it.

The function is also ``gordo.builder.local_build``, as documented; this module
imports nothing heavy until it is called.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gordo.exceptions import ConfigException

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

    from gordo.machine import Machine

logger = logging.getLogger(__name__)


def _parse(config_str: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(config_str)
    except yaml.YAMLError as exc:
        raise ConfigException(f"The config is not valid YAML: {exc}") from exc


def local_build(
    config_str: str, project_name: str = "local-build"
) -> Iterator[tuple[BaseEstimator | None, Machine]]:
    """Build model(s) from a bare Gordo config file locally, one machine at a time.

    Yields ``(model, machine)`` per machine, as :meth:`ModelBuilder.build`
    returns them (``model`` is None for ``cv_mode: cross_val_only``).

    >>> import numpy as np
    >>> from gordo.dependencies import configure_once
    >>> configure_once()
    >>> config = '''
    ... machines:
    ...   - dataset:
    ...       tags:
    ...         - SOME-TAG1
    ...         - SOME-TAG2
    ...       target_tag_list:
    ...         - SOME-TAG3
    ...         - SOME-TAG4
    ...       train_end_date: '2019-03-01T00:00:00+00:00'
    ...       train_start_date: '2019-01-01T00:00:00+00:00'
    ...       asset: asgb
    ...       data_provider:
    ...         type: RandomDataProvider
    ...     metadata:
    ...       information: Some sweet information about the model
    ...     model:
    ...       gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector:
    ...         base_estimator:
    ...           sklearn.pipeline.Pipeline:
    ...             steps:
    ...             - sklearn.decomposition.PCA
    ...             - sklearn.multioutput.MultiOutputRegressor:
    ...                 estimator: sklearn.linear_model.LinearRegression
    ...     name: crazy-sweet-name
    ... '''
    >>> models_n_metadata = local_build(config)
    >>> assert len(list(models_n_metadata)) == 1
    """
    from gordo.builder.build_model import ModelBuilder
    from gordo.serializer.allow_list import allowing
    from gordo.workflow.config_elements.normalized_config import NormalizedConfig

    config = NormalizedConfig(_parse(config_str), project_name=project_name)
    for machine in config.machines:
        logger.info("Building machine %r", machine.name)
        with allowing(config.allowed_imports):  # the project's own packages
            built = ModelBuilder(machine=machine).build()
        yield built
