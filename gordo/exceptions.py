"""The one exception hierarchy of gordo, and the CLI exit code of each exception.

Every error a user can cause is one of these classes. Each names what went
wrong (the machine, config key path, route or file) in its message. The CLI
maps an exception to an exit code through :func:`exit_code_for`; Argo and other
tools read these codes, so they are kept as the original documented them.

>>> exit_code_for(InsufficientDataError("too few rows"))
80
>>> exit_code_for(ValueError("bad"))
2
>>> exit_code_for(KeyError("x"))
1
>>> err = ConfigValidationError(["machines[0] 'a': dataset.tags: must not be empty"])
>>> print(err)
1 problem in the configuration:
  machines[0] 'a': dataset.tags: must not be empty
"""

from __future__ import annotations

from collections.abc import Iterable


class GordoError(Exception):
    """Base of every error gordo raises on purpose."""


# --- configuration ---------------------------------------------------------


class ConfigException(GordoError, ValueError):
    """A configuration (project YAML, machine, model definition) is invalid."""


class ConfigValidationError(ConfigException):
    """Several configuration problems, reported together.

    ``problems`` holds one line per problem, each naming the machine and key path.
    """

    def __init__(self, problems: Iterable[str], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        where = f" {source}" if source else ""
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the configuration{where}:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class DefinitionImportError(GordoError, ImportError):
    """An import path in a model definition does not resolve."""


class MetricImportError(GordoError, AttributeError):
    """A metric of ``evaluation.metrics`` does not resolve.

    An ``AttributeError``, as documented for ``metrics_from_list``; it cannot also be
    a :class:`DefinitionImportError` (Python refuses a class deriving from both
    ``ImportError`` and ``AttributeError``), so its exit code is set to the same 85.
    """


class MissingExtraError(GordoError, ModuleNotFoundError):
    """A model or connector needs an optional dependency that is not installed.

    The message names the module and the ``pip install 'gordo[EXTRA]'`` command.
    """


class DefinitionParameterError(ConfigException):
    """A model definition passes a parameter the estimator does not take."""


class DefinitionNotAllowedError(ConfigException):
    """A config names a class or function outside the allow-list of import prefixes."""


# --- data ------------------------------------------------------------------


class DataError(GordoError):
    """Base of the errors raised while fetching or preparing data."""


class SensorTagNormalizationError(DataError, ValueError):
    """A tag in the configuration cannot be turned into a SensorTag."""


class NoSuitableDataProviderError(DataError, ValueError):
    """No data provider can serve a tag."""


class MissingTagError(DataError, LookupError):
    """A tag was not found in the storage the provider looked in."""


class DataSourceUnavailableError(DataError, ConnectionError):
    """A database or store could not be reached (names host:port or URL)."""


class InsufficientDataError(DataError, ValueError):
    """Too little data is left to build a model."""


class EmptyDataframeError(InsufficientDataError):
    """The dataframe has no more rows than the required threshold."""

    def __init__(self, message: str, data_length: int = 0, threshold: int = 0):
        super().__init__(message)
        self.data_length = data_length
        self.threshold = threshold


class EmptyGeneratedDataframeError(EmptyDataframeError):
    """Too few rows after resampling and joining the tags."""

    def __init__(
        self, message: str, data_length: int = 0, threshold: int = 0, tag_names: list | None = None
    ):
        super().__init__(message, data_length, threshold)
        self.tag_names = list(tag_names or [])


class EmptyFilteredDataframeError(EmptyDataframeError):
    """Too few rows after a filtering stage."""


class RowFilterEmptyDataError(EmptyFilteredDataframeError):
    """Too few rows after the ``row_filter``."""

    def __init__(
        self,
        message: str,
        data_length: int = 0,
        threshold: int = 0,
        row_filter: object = None,
        buffer: object = None,
    ):
        super().__init__(message, data_length, threshold)
        self.row_filter = row_filter
        self.buffer = buffer


class KnownPeriodsEmptyDataError(EmptyFilteredDataframeError):
    """Too few rows after dropping ``known_filter_periods``."""


class NuisanceEmptyDataError(EmptyFilteredDataframeError):
    """Too few rows after the ``filter_periods`` noise filter."""


# --- models and artifacts --------------------------------------------------


class ModelError(GordoError):
    """Base of the errors raised by models and their artifacts."""


#: What an error about a model this gordo cannot read says to do.
REBUILD = (
    "Rebuild the model with this gordo: `gordo build` for one machine, "
    "or `gordo build-project` for a project"
)


class ArtifactError(ModelError, ValueError):
    """A model directory is missing, broken, or of an unknown format."""


# --- reporters -------------------------------------------------------------


class ReporterException(GordoError):
    """A reporter failed to report a built machine."""


# --- serving ---------------------------------------------------------------


class ServingError(GordoError):
    """An error answered to an HTTP client, with its status code."""

    status_code = 500

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class BadRequestError(ServingError):
    """The request body or parameters are invalid (400)."""

    status_code = 400


class NotFoundError(ServingError):
    """The project, model or route does not exist (404)."""

    status_code = 404


class RevisionGoneError(ServingError):
    """The requested revision does not exist or is not numeric (410)."""

    status_code = 410


class PayloadTooLargeError(ServingError):
    """The request body is over the configured size limit (413)."""

    status_code = 413


# --- exit codes --------------------------------------------------------------

#: Exit codes of the CLI; the most specific matching class wins.
EXIT_CODES: dict[type[BaseException], int] = {
    Exception: 1,
    ValueError: 2,
    PermissionError: 20,
    FileNotFoundError: 30,
    SensorTagNormalizationError: 60,
    NoSuitableDataProviderError: 70,
    InsufficientDataError: 80,
    ImportError: 85,
    MetricImportError: 85,
    ReporterException: 90,
    ConfigException: 100,
}


def exit_code_for(exc: BaseException) -> int:
    """The exit code of ``exc``: that of the first class in its MRO with one."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1
