"""Precision of the `pii`, `secrets`, `links` and `internal.link` rules on real-shaped content.

Lints three sets in one run, in-process, without a cache and without writing anything into them:

- `hugo-docs`: the Hugo documentation (992 files), read where it is (`--corpus`, by default
  `../shared/corpora/hugo-docs`), never copied into the repository;
- `hugo-versioned`: a small Hugo-style site with versioned folders (`benchmarks/precision_sites/`);
- `jekyll-help`: a small Jekyll-style help centre with permalinks and Liquid links (same folder).

Every finding is looked up in `benchmarks/precision_labels.csv`, where a person has said whether
it is a true finding and why (set, rule, path, line, column identify it). The script prints, per
rule, the findings, how many are labelled true and false, precision = true / labelled, and the
findings nobody has labelled yet (counted apart, never guessed). It also lists labelled-true
findings that are no longer reported: a drop in recall. Goal: precision >= 0.9 for every `pii.*`
and `links.*` rule with at least 10 labelled findings.

Each set is linted with the `[lint.links]` table a user of that site would write (`SITE_LINKS`,
explained in benchmarks/README.md); `--defaults` lints with kbsync's defaults instead.

Run:  .venv/bin/python benchmarks/precision.py [--corpus ../shared/corpora/hugo-docs]
      [--defaults] [--show-unlabelled] [--write-unlabelled FILE]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import re
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import LinksConfig, settings_from_table  # noqa: E402
from pipeline.lint.engine import LintOptions, run_lint  # noqa: E402
from pipeline.lint.findings import Finding  # noqa: E402

SITES = REPO / "benchmarks" / "precision_sites"
LABELS = REPO / "benchmarks" / "precision_labels.csv"
SELECT = ("pii", "secrets", "links", "internal.link")
GOAL = 0.9
GOAL_MIN_FINDINGS = 10
FIELDS = ["set", "rule", "path", "line", "column", "excerpt", "true", "why"]
_QUOTED = re.compile(r"'([^']*)'|\(([^)]*…[^)]*)\)")
_TARGET = re.compile(r"^link target (\S+)")


@dataclass(frozen=True)
class Seen:
    """One finding of one set, keyed as the label table keys it."""

    set: str
    rule: str
    path: str
    line: int
    column: int
    excerpt: str

    @property
    def key(self) -> tuple[str, str, str, int, int]:
        return (self.set, self.rule, self.path, self.line, self.column)


def excerpt(finding: Finding) -> str:
    """What the message shows of the value: masked for pii and secrets, the target for links."""
    target = _TARGET.match(finding.message)
    if target:
        return target.group(1)
    quoted = _QUOTED.search(finding.message)
    if quoted:
        return quoted.group(1) or quoted.group(2)
    return finding.message[:60]


SITE_LINKS: dict[str, dict[str, Any]] = {
    # What the Hugo docs' own maintainers would write (benchmarks/README.md says why):
    # their link render hook (layouts/_markup/render-link.html) turns `[term](g)` into a link
    # to the glossary and resolves every other destination with GetPage; their glossary page
    # is built by the `{{% glossary %}}` shortcode from the term pages; and the corpus copy
    # holds only the Markdown, so page-bundle images are not in it.
    "hugo-docs": {
        "unchecked": ["^g$", "^/quick-reference/glossary/#"],
        "getpage": True,
        "check_assets": False,
    },
    # The help centre's `_config.yml` has `baseurl: ""`.
    "jekyll-help": {"templates": {"{{site.baseurl}}": ""}},
}
"""`[lint.links]` of each set: what a user of that site writes in kbsync.toml."""


def known_settings(name: str, links: dict[str, Any]) -> dict[str, Any]:
    """`links` without the keys this checkout's kbsync does not know (so the script runs on an
    older commit for the "before" figures); says which it left out."""
    known = {f.name for f in dataclasses.fields(LinksConfig)}
    dropped = sorted(set(links) - known)
    if dropped:
        print(f"{name}: [lint.links] {', '.join(dropped)} unknown to this kbsync, left out",
              file=sys.stderr)  # fmt: skip
    return {key: value for key, value in links.items() if key in known}


def lint_set(name: str, folder: Path, site_settings: bool = True) -> list[Seen]:
    """The findings of `SELECT` on one content folder, as if it were a repository's content."""
    with tempfile.TemporaryDirectory(prefix="kbsync-precision-") as state:
        table: dict[str, Any] = {"content_dir": folder.name, "state_dir": state}
        if site_settings and name in SITE_LINKS:
            table["lint"] = {"links": known_settings(name, SITE_LINKS[name])}
        settings = settings_from_table(table, root=folder.parent)
        report = run_lint(settings, LintOptions(select=SELECT, use_cache=False))
    prefix = folder.name + "/"
    return [
        Seen(name, f.rule, f.path.removeprefix(prefix), f.line, f.column, shown)
        for f in report.findings
        for shown in [excerpt(f).removeprefix(prefix)]
    ]


def load_labels(path: Path) -> dict[tuple[str, str, str, int, int], tuple[bool, str, str]]:
    labels: dict[tuple[str, str, str, int, int], tuple[bool, str, str]] = {}
    if not path.is_file():
        return labels
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            verdict = row["true"].strip().lower()
            if verdict not in ("true", "false"):
                sys.exit(f"{path}:{number}: column 'true' must be true or false, not {verdict!r}")
            key = (row["set"], row["rule"], row["path"], int(row["line"]), int(row["column"]))
            labels[key] = (verdict == "true", row["why"], row["excerpt"])
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/hugo-docs")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show-unlabelled", action="store_true", help="list them one per line")
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="lint with the default [lint.links], not each site's (what an unconfigured user gets)",
    )
    parser.add_argument(
        "--write-unlabelled", type=Path, help="write unlabelled findings as CSV rows to classify"
    )
    args = parser.parse_args()
    corpus = args.corpus
    if not corpus.is_dir() and (REPO.parents[1] / "shared/corpora/hugo-docs").is_dir():
        corpus = REPO.parents[1] / "shared/corpora/hugo-docs"  # a worktree under /work/wt/
    sets = [("hugo-docs", corpus), ("hugo-versioned", SITES / "hugo-versioned"),
            ("jekyll-help", SITES / "jekyll-help")]  # fmt: skip
    labels = load_labels(args.labels)
    seen: list[Seen] = []
    for name, folder in sets:
        if not folder.is_dir():
            print(f"{name}: {folder} not found, skipped (pass --corpus)", file=sys.stderr)
            continue
        seen.extend(lint_set(name, folder, site_settings=not args.defaults))

    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    unlabelled: list[Seen] = []
    for finding in seen:
        label = labels.get(finding.key)
        verdict = "unlabelled" if label is None else ("true" if label[0] else "false")
        for where in (finding.set, "all"):
            counts[(finding.rule, where)][verdict] += 1
        if label is None:
            unlabelled.append(finding)
    found = {f.key for f in seen}
    missed = [key for key, (true, _, _) in labels.items() if true and key not in found]
    gone = sum(1 for key, (true, _, _) in labels.items() if not true and key not in found)

    header = (
        f"{'rule':<24} {'set':<15} {'found':>6} {'true':>5} {'false':>6} {'unlab.':>6}  precision"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for rule, where in sorted(counts, key=lambda k: (k[0], k[1] != "all", k[1])):
        c = counts[(rule, where)]
        labelled = c["true"] + c["false"]
        precision = f"{c['true'] / labelled:.2f}" if labelled else "-"
        mark = ""
        goal = rule.split(".")[0] in ("pii", "links") and labelled >= GOAL_MIN_FINDINGS
        if where == "all" and goal:
            ok = c["true"] / labelled >= GOAL
            mark = "  goal met" if ok else f"  BELOW GOAL {GOAL}"
            if not ok:
                failures.append(rule)
        name = where if where != "all" else "ALL SETS"
        print(f"{rule:<24} {name:<15} {sum(c.values()):>6} {c['true']:>5} {c['false']:>6} "
              f"{c['unlabelled']:>6}  {precision}{mark}")  # fmt: skip
    print()
    print(f"findings: {len(seen)}, unlabelled: {len(unlabelled)}; labelled false positives no "
          f"longer reported: {gone}; labelled true findings no longer reported: {len(missed)}")  # fmt: skip
    for key in missed:
        print(f"  MISSED (recall): {' '.join(map(str, key))}")
    if args.show_unlabelled:
        for finding in unlabelled:
            print(f"  unlabelled: {finding.set} {finding.rule} {finding.path}:{finding.line}:"
                  f"{finding.column} {finding.excerpt}")  # fmt: skip
    if args.write_unlabelled:
        with args.write_unlabelled.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            for f in unlabelled:
                writer.writerow([f.set, f.rule, f.path, f.line, f.column, f.excerpt, "", ""])
        print(f"wrote {len(unlabelled)} rows to classify to {args.write_unlabelled}")
    if failures:
        print(f"below the goal: {', '.join(failures)}")


if __name__ == "__main__":
    main()
