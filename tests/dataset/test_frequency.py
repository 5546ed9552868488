"""Resolution strings with the legacy aliases, read the same everywhere."""

from __future__ import annotations

import pytest

from gordo.dataset.frequency import to_offset
from gordo.server.frames import to_offset_lenient


@pytest.mark.parametrize("resolution", ["10T", "1.5H", "30S", "250L", "1U", "5N", "2H", "10min"])
def test_the_server_reads_resolutions_with_the_same_aliases(resolution):
    """One alias table: the server's lenient reading agrees with the dataset's."""
    assert to_offset_lenient(resolution) == to_offset(resolution)


def test_the_server_reads_nothing_from_a_bad_resolution():
    assert to_offset_lenient("ten minutes") is None and to_offset_lenient(None) is None
