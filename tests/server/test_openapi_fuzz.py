"""Schemathesis against the server's OpenAPI document: no answer is a 5xx."""

from __future__ import annotations

import shutil

import schemathesis
from hypothesis import HealthCheck, given, settings

from gordo.server import model_store
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, REVISION

#: examples per operation; bounded so the whole run stays a few seconds
EXAMPLES = 10


def test_no_route_answers_a_server_error(collection_root, tmp_path):
    root = tmp_path / PROJECT
    shutil.copytree(collection_root, root)
    model_store.MODELS.discard(lambda key: True)
    app = build_app({"MODEL_COLLECTION_DIR": str(root / REVISION), "PROJECT": PROJECT})
    assert app.extensions["gordo_preload"].wait(timeout=60)  # /ready answers 503 before
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 18
    server_errors: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case):
            response = case.call()
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:300]}"
                )

        exercise()
    assert server_errors == []
