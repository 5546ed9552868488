"""A real browser and a served example plant, for the dashboard's tests and benchmark.

The browser is Debian's ``chromium`` driven through ``chromium-driver`` by
Selenium (``scripts/install-services.sh`` installs both), headless. Every host
but 127.0.0.1 resolves to nothing, so a page asking for anything off-host fails
visibly (a console error and a failed resource) instead of reaching a CDN.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gordo.demo import EXAMPLE_PROJECT, PROJECT_NAME, DemoPaths
from tests.servers import require_binary, running_server

PROJECT = PROJECT_NAME


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator:
    """A headless Chromium WebDriver that keeps the console log; closed on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = require_binary(shutil.which("chromium") or "/usr/bin/chromium", "chromium")
    driver_path = require_binary(
        shutil.which("chromedriver") or "/usr/bin/chromedriver", "chromium-driver"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--no-proxy-server",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    """The console's errors since the last call (Chromium's ``SEVERE`` entries)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def off_host_requests(driver, base_url: str) -> list[str]:
    """URLs the page loaded (or tried to) that are not on ``base_url``."""
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"
        ".concat([location.href]);"
    )
    return [name for name in names if not name.startswith(base_url)]


class ExamplePlant(DemoPaths):
    """The example plant's data and built models in ``workdir`` (where the demo keeps them)."""

    def revision(self) -> Path:
        return next(p for p in sorted(self.models.iterdir()) if p.name.isdigit())

    def env(self) -> dict[str, str]:
        """What ``gordo run-server`` needs to serve (and read the data of) the plant."""
        return {
            "MODEL_COLLECTION_DIR": str(self.revision()),
            "PROJECT": PROJECT,
            "GORDO_EXAMPLE_DATA": str(self.data),
        }


def build_example_plant(workdir: Path) -> ExamplePlant:
    """Write the example plant's data and build its models with the real CLI."""
    plant = ExamplePlant(workdir)
    gordo = [sys.executable, "-m", "gordo"]
    env = {**os.environ, "GORDO_EXAMPLE_DATA": str(plant.data)}
    subprocess.run([*gordo, "example-data", str(plant.data)], check=True, env=env,
                   capture_output=True)
    subprocess.run(
        [*gordo, "build-project", str(EXAMPLE_PROJECT), str(plant.models), "--jobs", "2",
         "--project-name", PROJECT],
        check=True, env=env, capture_output=True,
    )
    return plant


@contextlib.contextmanager
def served_example_plant() -> Iterator[tuple[ExamplePlant, str]]:
    """The example plant built in a temporary directory and served; yields it and the URL."""
    workdir = Path(tempfile.mkdtemp(prefix="gordo-dashboard-"))
    try:
        plant = build_example_plant(workdir)
        with running_server(["--workers", "1", "--threads", "4"], plant.env(), 60) as url:
            yield plant, url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
