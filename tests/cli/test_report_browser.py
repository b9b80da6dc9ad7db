"""`kbsync report` in a real browser: headless Chromium loads the page offline, its figures
equal report.json's, and a screenshot is kept as a test artifact (test-artifacts/report.png).
With `KBSYNC_DOCS_SCREENSHOT=1` the test also writes the smaller screenshot the README shows
(`docs/report.png`): `KBSYNC_DOCS_SCREENSHOT=1 pytest -m slow tests/cli/test_report_browser.py`.

Chromium is Debian's `chromium` package; the session fixture installs it with apt-get when it
is missing and the tests run as root, and skips with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.report_figures import mismatches, shown
from tests.helpers import commit_all, doc
from tests.ops.smoke_support import CONFIG, base_files, make_repo

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_TIMEOUT = 600.0
BROWSER_TIMEOUT = 120.0
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report.png"
OFFLINE_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
)  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium: found, installed with apt-get (root only), or the test is skipped."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(
            f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
            "install Debian's chromium package to run the browser test"
        )
    try:
        subprocess.run(
            ["sh", "-c", "apt-get update -qq && apt-get install -y -qq chromium"],
            check=True, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"installing chromium with apt-get took over {INSTALL_TIMEOUT:.0f} s")
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"apt-get could not install chromium: {exc.stderr.strip()[-500:]}")
    if not CHROMIUM.exists():
        pytest.skip(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


def browse(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(chromium), *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
        check=True, capture_output=True, text=True, timeout=BROWSER_TIMEOUT,
    )  # fmt: skip


def reviewed(day: str, owner: str) -> str:
    return f"reviewed: {day}\nowner: {owner}\n"


def repository(root: Path) -> Path:
    """Content with review ages in every bucket, overdue reviews (lint warnings)."""
    files = base_files()
    ages = {"fresh": "2026-11-01", "recent": "2026-09-01", "older": "2026-07-01",
            "old": "2026-01-10", "ancient": "2025-06-01"}  # fmt: skip
    for name, day in ages.items():
        text = doc(f"docs.{name}", f"Page {name}", f"The {name} page says hello.")
        files[f"content/docs/core/{name}.md"] = text.replace(
            "reviewed: 2026-10-01\n", reviewed(day, f"team-{name}")
        )
    return make_repo(root, CONFIG, files)


def test_report_page_in_headless_chromium(chromium: Path, run: Run, tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    commit_all(root, "content")
    synced = run(root, "sync", "--env", "local", "--yes")
    assert synced.exit_code == 0, synced.output
    smoke = run(root, "smoke", "--env", "local")
    assert smoke.exit_code == 0, smoke.output
    result = run(root, "report", "--out", "health", "--no-cache")
    assert result.exit_code == 0, result.output
    page = root / "health/index.html"
    data = json.loads((root / "health/report.json").read_text(encoding="utf-8"))
    local = data["holdings"][0]
    assert local["target"] == "local/s_local" and local["entries"] > 0
    assert local["smoke"]["passed"] is True
    assert [b["count"] for b in data["review_ages"]] == [1, 3, 1, 1, 1]

    dom = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert "review-age-histogram" in dom
    assert mismatches(dom, data) == []
    figures = shown(dom)
    assert set(figures) == set(shown(page.read_text(encoding="utf-8")))
    assert [figures[f"/review_ages/{i}/count"] for i in range(5)] == ["1", "3", "1", "1", "1"]
    assert figures["/holdings/0/entries"] == str(local["entries"])
    assert figures["/holdings/0/batches/0/active"] == str(local["batches"][0]["active"])
    assert figures["/holdings/0/smoke/passed"] == "true"
    assert figures["/lint_warnings"] == str(data["lint_warnings"]) != "0"
    assert [(d["id"], d["owner"]) for d in data["reviews_overdue"]] == [
        ("docs.ancient", "team-ancient")
    ]
    overdue_section = dom.split('id="reviews-overdue"', 1)[1].split("<h2", 1)[0]
    assert "<td>team-ancient</td>" in overdue_section

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    browse(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000",
           page.as_uri())  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000
    if os.environ.get("KBSYNC_DOCS_SCREENSHOT") == "1":
        browse(chromium, tmp_path / "profile", f"--screenshot={DOCS_SCREENSHOT}",
               "--window-size=1000,1100", page.as_uri())  # fmt: skip
        assert DOCS_SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
