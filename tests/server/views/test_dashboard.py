"""The dashboard's pages, assets and model list, through the Flask app (the browser tests are
in test_dashboard_browser.py)."""

from __future__ import annotations

import re
import shutil

import pytest

from gordo.server import model_store
from gordo.server.openapi import openapi_document
from gordo.server.server import build_app
from gordo.server.views.dashboard import ASSETS, MAX_PAGE_SIZE, chart_library
from tests.server.conftest import PROJECT, REVISION

DASHBOARD = f"/gordo/v0/{PROJECT}/dashboard/"


def local_references(html: str) -> list[str]:
    return re.findall(r'(?:src|href|data-plotly)="([^"]+)"', html)


@pytest.mark.parametrize("page", ["", "ae-model"])
def test_pages_load_only_assets_of_this_server(client, page):
    answer = client.get(DASHBOARD + page)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    references = local_references(answer.text)
    assert any(ref.endswith(".js") for ref in references)
    for reference in references:
        if reference.startswith("data:"):
            continue
        assert reference.startswith("/"), reference
        if "download-model" not in reference:
            assert client.get(reference).status_code == 200, reference


def test_the_shipped_files_name_no_other_host():
    for path in (ASSETS / "static").iterdir():
        hosts = re.findall(r"https?://[^\s\"'`)]+", path.read_text())
        assert hosts in ([], ["http://www.w3.org/2000/svg"]), (path.name, hosts)


def test_the_chart_library_is_plotly_js_from_the_plotly_package(client):
    assert chart_library().name == "plotly.min.js"
    answer = client.get("/dashboard-static/vendor/plotly.min.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert b"plotly.js v" in answer.data[:200]
    assert answer.cache_control.max_age == 86400


def test_the_fleet_page_size_is_a_query_parameter(client):
    assert 'data-page-size="25"' in client.get(DASHBOARD).text
    assert 'data-page-size="4"' in client.get(DASHBOARD + "?per_page=4").text
    assert client.get(DASHBOARD + "?per_page=1000").status_code == 400


def test_the_machine_page_of_an_unknown_model_is_a_404(client):
    answer = client.get(DASHBOARD + "no-such-model")
    assert answer.status_code == 404 and "no-such-model" in answer.json["error"]


def test_the_model_list_comes_a_page_at_a_time(client):
    first = client.get(DASHBOARD + "models.json", query_string={"limit": 2}).json
    rest = client.get(DASHBOARD + "models.json", query_string={"offset": 2, "limit": 2}).json
    assert first["total"] == rest["total"] == 3
    names = [m["name"] for m in first["models"] + rest["models"]]
    assert sorted(names) == ["ae-model", "sk-model", "sk-model-2"]
    assert all(m["healthy"] and m["tags"] == 4 for m in first["models"] + rest["models"])


@pytest.mark.parametrize("query", [{"limit": MAX_PAGE_SIZE + 1}, {"limit": "-1"},
                                   {"offset": "x"}, {"offset": 99}])
def test_a_bad_page_gets_400_naming_the_argument(client, query):
    answer = client.get(DASHBOARD + "models.json", query_string=query)
    assert answer.status_code == 400 and next(iter(query)) in answer.json["error"]


@pytest.mark.parametrize(
    "broken_file, content", [("metadata.json", b"{not json"), ("model.pkl", b"truncated")]
)
def test_a_model_whose_artifact_is_broken_is_listed_unhealthy(
    collection_root, tmp_path, broken_file, content
):
    root = tmp_path / PROJECT
    shutil.copytree(collection_root, root)
    (root / REVISION / "sk-model" / broken_file).write_bytes(content)
    model_store.METADATA.discard(lambda key: True)
    app = build_app({"MODEL_COLLECTION_DIR": str(root / REVISION), "PROJECT": PROJECT,
                     "PRELOAD_MODELS": "false"})
    models = app.test_client().get(DASHBOARD + "models.json").json["models"]
    broken = [m for m in models if not m["healthy"]]
    assert [m["name"] for m in broken] == ["sk-model"] and broken[0]["error"]


def test_swagger_ui_links_the_dashboard():
    description = openapi_document("demo", [])["info"]["description"]
    assert "(gordo/v0/demo/dashboard/)" in description
