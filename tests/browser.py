"""Headless Chromium through Selenium, for the HTML report tests."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000"]


def missing_reason() -> str | None:
    if not CHROMIUM or not CHROMEDRIVER:
        return "chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install selenium)"
    return None


@contextmanager
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="sumbench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # explicit driver path: Selenium Manager never tries to download a driver
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def shoot(path: Path, out: Path, fragment: str = "", height: int | None = None) -> list[dict]:
    """Screenshot of a page (full height when ``height`` is None); returns console errors."""
    with chromium() as driver:
        driver.get(path.resolve().as_uri() + fragment)
        h = height or driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1400, min(int(h) + 100, 6000))
        driver.save_screenshot(str(out))
        return console_errors(driver)
