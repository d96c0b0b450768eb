"""The web page opens in headless Chromium and its charts are drawn: a screenshot is not blank and shows the
charts' own colours (bars against targets, breakdowns, trend columns)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.report.png import colours, read_png
from warehouse.report import write_html_page

INSTALL = "apt-get install -y chromium (Debian; `make test-tools` does it)"
# Fill colours only the SVG charts use (page_style.py): neutral bars / year columns, met and off-track bars.
BREAKDOWN_BAR, MET_BAR, OFF_TRACK_BAR, QUARTER_COLUMN = (0x5F, 0x86, 0xB3), (0x1D, 0x7F, 0x46), (0xC4, 0x46, 0x2A), \
    (0x9D, 0xB8, 0xD8)


def chromium() -> str:
    """``CHROMIUM`` if set, else chromium on the PATH or in /usr/bin; a clear failure when there is none."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    path = next((c for c in candidates if c and Path(c).is_file()), None)
    if path is None:
        pytest.fail(f"Chromium is needed to check that the report page renders: {INSTALL}, or set CHROMIUM "
                    "to its path", pytrace=False)
    return path


def screenshot(page: Path, png: Path, profile: Path, height: int) -> bytes:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png}",
               f"--window-size=1280,{height}", page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert png.exists(), f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    return png.read_bytes()


def test_page_renders_with_its_charts(province_report, tmp_path):
    page = write_html_page(province_report, tmp_path / "report.html")
    width, height, rows = read_png(screenshot(page, tmp_path / "page.png", tmp_path / "profile", 3200))
    assert (width, height) == (1280, 3200)
    counts = colours(width, rows)
    assert len(counts) > 200, "the screenshot is nearly blank"
    background = max(counts.values())
    assert background < 0.8 * width * height, "the screenshot is mostly one colour"
    assert counts.get(OFF_TRACK_BAR, 0) > 1500, "no off-track bar drawn (1.1, 1.2 against their targets)"
    assert counts.get(MET_BAR, 0) > 1500, "no met bar drawn (2.2 against its target)"
    assert counts.get(BREAKDOWN_BAR, 0) > 3000, "no breakdown bars or year columns drawn"
    assert counts.get(QUARTER_COLUMN, 0) > 300, "no quarter column drawn"
