"""The precision benchmark's made-up sites, as a regression test of what it measures.

On `benchmarks/precision_sites/` (a Hugo-style versioned site and a Jekyll-style help centre),
every finding of the `pii`, `secrets`, `links` and `internal.link` rules must be one the
hand-labelled table `benchmarks/precision_labels.csv` knows, and every finding it labels true
must still be reported: a new false positive or a lost true finding fails here before it skews
the benchmark. Each site gets the `[lint.links]` its users would write (as the benchmark does).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import settings_from_table
from pipeline.lint.engine import LintOptions, run_lint

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SITES = ("hugo-versioned", "jekyll-help")
SELECT = ("pii", "secrets", "links", "internal.link")
LINKS = {"jekyll-help": {"templates": {"{{site.baseurl}}": ""}}}

Key = tuple[str, str, int, int]
KNOWN_FALSE: set[Key] = {
    # a company's switchboard number: a phone number, but not a person's (labelled false)
    ("pii.phone_number", "_articles/account/contact-support.md", 10, 79),
}


def _labels(site: str) -> dict[Key, bool]:
    with (BENCHMARKS / "precision_labels.csv").open(encoding="utf-8", newline="") as handle:
        return {
            (row["rule"], row["path"], int(row["line"]), int(row["column"])): row["true"] == "true"
            for row in csv.DictReader(handle)
            if row["set"] == site
        }


@pytest.mark.parametrize("site", SITES)
def test_findings_are_the_labelled_true_ones(tmp_path: Path, site: str) -> None:
    folder = BENCHMARKS / "precision_sites" / site
    table: dict[str, Any] = {"content_dir": folder.name, "state_dir": str(tmp_path)}
    if site in LINKS:
        table["lint"] = {"links": LINKS[site]}
    settings = settings_from_table(table, root=folder.parent)
    report = run_lint(settings, LintOptions(select=SELECT, use_cache=False))
    found = {(f.rule, f.path.removeprefix(site + "/"), f.line, f.column) for f in report.findings}
    labels = _labels(site)
    expected = {k for k, true in labels.items() if true}
    assert sorted(found - expected - KNOWN_FALSE) == []  # no new false positive
    assert sorted(k for k, true in labels.items() if true and k not in found) == []  # recall
