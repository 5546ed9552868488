"""Fixtures of the client tests: the built project and its running server."""

from tests.client.project import project_dir, server_url

__all__ = ["project_dir", "server_url"]
