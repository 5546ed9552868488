"""The example project shipped with gordo (package data, so it works from an installed wheel).

``example-plant.yaml`` builds one model per machine of the simulated plant that
``gordo example-data`` writes; it reads the data from ``${GORDO_EXAMPLE_DATA}``.

>>> EXAMPLE_PROJECT.name, EXAMPLE_PROJECT.is_file()
('example-plant.yaml', True)
"""

from __future__ import annotations

from pathlib import Path

#: The example plant's project config.
EXAMPLE_PROJECT = Path(__file__).resolve().with_name("example-plant.yaml")
