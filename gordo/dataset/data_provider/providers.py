"""Every built-in data provider, under the path ``to_dict()`` writes.

Short names (``RandomDataProvider``) and the original packages' paths resolve
here (:mod:`gordo.dataset.registry`). The database and file-store providers
import their client libraries only when used.

>>> sorted(n for n in __all__ if n.endswith("Provider"))  # doctest: +NORMALIZE_WHITESPACE
['CSVDataProvider', 'FileSystemDataProvider', 'GordoBaseDataProvider', 'InfluxDataProvider',
 'PostgresDataProvider', 'RandomDataProvider']
"""

from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.csv_provider import CSVDataProvider
from gordo.dataset.data_provider.file_system import FileSystemDataProvider
from gordo.dataset.data_provider.influx import InfluxDataProvider
from gordo.dataset.data_provider.postgres import PostgresDataProvider
from gordo.dataset.data_provider.random_provider import RandomDataProvider

__all__ = [
    "CSVDataProvider",
    "FileSystemDataProvider",
    "GordoBaseDataProvider",
    "InfluxDataProvider",
    "PostgresDataProvider",
    "RandomDataProvider",
]
