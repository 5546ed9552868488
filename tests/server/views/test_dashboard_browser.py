"""The dashboard in a real browser (headless Chromium via Selenium) against a real
``gordo run-server`` serving the built example plant on 127.0.0.1.

Screenshots go to ``$GORDO_DASHBOARD_SCREENSHOTS`` if set (docs/dashboard.md uses
them), else to the test's temporary directory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import chromium, console_errors, off_host_requests, served_example_plant
from tests.client.project import project_dir, server_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration

FLEET = "/gordo/v0/example-plant/dashboard/?end=2020-03-20T00:00:00Z&span=168"
#: pump-a's bearing wear is labelled from 2020-03-10 to 2020-03-20
MACHINE = "/gordo/v0/example-plant/dashboard/pump-a?start=2020-03-01T00:00:00Z&end=2020-03-31T00:00:00Z"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with served_example_plant() as (_plant, url):
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    where = os.environ.get("GORDO_DASHBOARD_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_for(driver, script: str, timeout: float = 60.0):
    """The value of ``script`` once it is truthy (polling), or fail naming it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{script!r} stayed falsy for {timeout} s")


def test_the_checks_see_console_errors_and_off_host_requests(served, browser):
    browser.get(served + "/healthcheck")
    console_errors(browser)
    browser.execute_script("console.error('seen'); fetch('http://example.com/x').catch(() => 0);")
    wait_for(browser, "return performance.getEntriesByType('resource').length")
    assert any("seen" in message for message in console_errors(browser))
    assert off_host_requests(browser, served) == ["http://example.com/x"]


def test_fleet_page_is_linked_from_the_root_and_sorts_the_machines(served, browser, screenshots):
    browser.get(served + "/")
    link = wait_for(browser, "return document.querySelector('a[href$=\"dashboard/\"]')")
    assert link.get_attribute("href") == served + "/gordo/v0/example-plant/dashboard/"
    browser.get(served + FLEET)
    wait_for(browser, "return document.body.dataset.scored")
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#fleet tbody tr')].map((tr) => ["
        "tr.dataset.model, tr.querySelector('td.health').textContent,"
        "parseFloat(tr.querySelector('td.level').textContent),"
        "tr.querySelector('td.spark polyline')?.getAttribute('points').length || 0])"
    )
    assert len(rows) == 6
    assert all(health == "loads" and spark > 100 for _, health, _, spark in rows), rows
    levels = [level for _, _, level, _ in rows]
    assert levels == sorted(levels, reverse=True)
    assert rows[0][0] in ("pump-a", "compressor-1", "heat-exchanger-1")  # faults under way
    browser.save_screenshot(str(screenshots / "fleet.png"))
    assert console_errors(browser) == []
    assert off_host_requests(browser, served) == []

    # a page at a time: 4, then the 2 others
    browser.get(served + FLEET + "&per_page=4")
    wait_for(browser, "return document.body.dataset.scored === '4'")
    assert browser.find_element("id", "shown").text == "4 of 6 machines shown."
    browser.find_element("id", "more").click()
    wait_for(browser, "return document.body.dataset.scored === '6'")
    assert not browser.find_element("id", "more").is_displayed()
    assert console_errors(browser) == []

    browser.find_element("link text", "pump-a").click()
    wait_for(browser, "return document.body.dataset.drawn")
    assert browser.execute_script("return location.pathname").endswith("/dashboard/pump-a")


def test_machine_page_draws_scores_threshold_alarms_and_tags(served, browser, screenshots):
    browser.get(served + MACHINE)
    drawn = wait_for(browser, "return document.body.dataset.drawn")
    assert drawn != "error", browser.find_element("id", "status").text
    figure = browser.execute_script(
        "const gd = document.getElementById('charts');"
        "return {shapes: gd.layout.shapes.map((s) => s.name), traces: gd.data.map((t) => t.type),"
        "lines: [...gd.querySelectorAll('.scatterlayer path.js-line')]"
        "  .filter((p) => (p.getAttribute('d') || '').length > 1000).length,"
        "heatmap: gd.querySelectorAll('.heatmaplayer image').length,"
        "drawnShapes: [...gd.querySelectorAll('.shapelayer path')]"
        "  .filter((p) => p.getBoundingClientRect().width > 0).length,"
        "card: document.getElementById('card-fields').textContent}"
    )
    assert figure["shapes"] == ["threshold", "alarms"]
    assert figure["drawnShapes"] == 2
    assert int(browser.execute_script("return document.body.dataset.alarms")) >= 1
    assert figure["traces"].count("heatmap") == 1 and figure["heatmap"] == 1
    # the total anomaly, then input and output of the 4 most anomalous of 7 tags
    assert figure["lines"] == 1 + 2 * 4
    for words in ("PA-VIB", "2020-01-01", "fold-1", "aggregate", "RobustEventAnomalyDetector"):
        assert words.replace("aggregate", "total") in figure["card"]
    # pump-a's bearing wear shows on its vibration and bearing temperature first
    tags = browser.execute_script(
        "return [...document.querySelectorAll('#tags input')].map((c) => [c.value, c.checked])"
    )
    assert len(tags) == 7 and [checked for _, checked in tags] == [True] * 4 + [False] * 3
    assert {"PA-VIB", "PA-BEARING-T"} <= {tag for tag, checked in tags if checked}
    browser.set_window_size(1400, 2000)
    browser.save_screenshot(str(screenshots / "machine.png"))
    browser.set_window_size(1400, 1000)
    assert console_errors(browser) == []
    assert off_host_requests(browser, served) == []

    # one more tag: redrawn with its input and output
    browser.execute_script("document.body.dataset.drawn = '';"
                           "document.querySelector('#tags input:not(:checked)').click();")
    wait_for(browser, "return document.body.dataset.drawn")
    lines = browser.execute_script(
        "return [...document.querySelectorAll('#charts .scatterlayer path.js-line')]"
        "  .filter((p) => (p.getAttribute('d') || '').length > 1000).length"
    )
    assert lines == 1 + 2 * 5


def test_machine_page_period_picker_rescores(served, browser):
    browser.get(served + MACHINE)
    wait_for(browser, "return document.body.dataset.drawn")
    browser.execute_script(
        "document.getElementById('start').value = '2020-02-01T00:00';"
        "document.getElementById('end').value = '2020-02-02T00:00';"
        "document.querySelector('#period button').click();"
    )
    wait_for(browser, "return document.body.dataset.drawn")
    assert browser.find_element("id", "status").text.startswith("144 rows")
    assert "start=2020-02-01" in browser.current_url
    assert console_errors(browser) == []


def test_machine_page_says_why_a_period_has_no_scores(served, browser):
    browser.get(served + "/gordo/v0/example-plant/dashboard/pump-a"
                "?start=2021-01-01T00:00:00Z&end=2021-01-02T00:00:00Z")
    assert wait_for(browser, "return document.body.dataset.drawn") == "error"
    message = browser.find_element("id", "status").text
    assert message.startswith("Cannot show pump-a: Machine 'pump-a'"), message
    assert "FileSystemDataProvider" in message
    assert "PA-VIB" in browser.find_element("id", "card-fields").text  # the card still shows
    console_errors(browser)  # the 404 of the scores request is logged; clear it


def test_models_without_thresholds_or_anomaly_still_show(server_url, browser):  # noqa: F811
    """The client tests' project: ae-model scores without thresholds, sk-model has no anomaly."""
    period = "start=2021-01-01T00:00:00Z&end=2021-01-02T00:00:00Z"
    browser.get(f"{server_url}/gordo/v0/client-project/dashboard/?end=2021-01-02T00:00:00Z")
    wait_for(browser, "return document.body.dataset.scored")
    rows = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#fleet tbody tr')].map((tr) =>"
        " [tr.dataset.model, [tr.querySelector('td.health').textContent,"
        "  tr.querySelector('td.level').textContent, tr.querySelector('td.spark').textContent]]))"
    )
    assert rows["ae-model"][:2] == ["loads", "no threshold"]
    assert rows["sk-model"][0] == "loads" and "no anomaly method" in rows["sk-model"][2]

    browser.get(f"{server_url}/gordo/v0/client-project/dashboard/sk-model?{period}")
    assert wait_for(browser, "return document.body.dataset.drawn") != "error"
    assert browser.find_element("id", "status").text.startswith("144 rows, 0 alarm period(s)")
    lines = browser.execute_script(
        "return [...document.querySelectorAll('#charts .scatterlayer path.js-line')]"
        "  .filter((p) => (p.getAttribute('d') || '').length > 100).length"
    )
    assert lines == 2 * 3  # input and output of its 3 tags, no anomaly
    console_errors(browser)  # the anomaly route's 422 is logged; clear it
