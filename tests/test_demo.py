"""gordo.demo's own checks, without building anything."""

import socket
from pathlib import Path

import pytest

from gordo.demo import DemoError, served


def test_a_busy_port_is_named_before_the_server_starts(tmp_path: Path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(DemoError, match=f"127.0.0.1:{port} is already in use"):
            with served(tmp_path, "127.0.0.1", port):
                pass
