"""What the time limit on user patterns costs: the same rules with and without it, side by side.

Every user pattern (Vale rules, facts, allow lists) is a `LimitedPattern` that passes the time
left in the rule's budget to each `regex` call and checks the clock between matches. This runs
the Hugo corpus through GitLab's Vale styles, the repository's facts and the secrets rules, in
one process, alternating rounds *limited* (as kbsync runs) and *unlimited* (the same compiled
patterns called directly), and reports the medians and their ratio. Parsing and rule building
are done once, outside the timing.

Run:  .venv/bin/python benchmarks/limits_bench.py [--corpus ../shared/corpora/hugo-docs]
      [--styles ../shared/corpora/vale-gitlab] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.config import load_settings
from pipeline.corpus import Item, discover, kind_of, relative_path
from pipeline.corpus.loader import read_text
from pipeline.corpus.parse import parse_item
from pipeline.lint.engine import _context
from pipeline.lint.limits import LimitedPattern
from pipeline.lint.registry import build_rules
from pipeline.lint.rule import CorpusRule, FileRule, Rule
from pipeline.lint.time_limit import TimeLimit

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def unlimited() -> Iterator[None]:
    """`LimitedPattern` calls straight through to `regex`: no timeout, no clock."""
    call, finditer = LimitedPattern._call, LimitedPattern.finditer

    def raw_call(self: LimitedPattern, method: str, *args: Any) -> Any:
        return getattr(self._compiled, method)(*args)

    def raw_finditer(
        self: LimitedPattern, string: str, pos: int = 0, endpos: int | None = None
    ) -> Any:
        return self._compiled.finditer(string, pos, endpos)

    LimitedPattern._call = raw_call  # type: ignore[method-assign]
    LimitedPattern.finditer = raw_finditer  # type: ignore[method-assign]
    try:
        yield
    finally:
        LimitedPattern._call = call  # type: ignore[method-assign]
        LimitedPattern.finditer = finditer  # type: ignore[method-assign]


def build(workdir: Path, corpus: Path, styles: Path) -> Path:
    root = workdir / "repo"
    shutil.copytree(corpus, root / "content" / "docs")
    rules = root / "rules"
    rules.mkdir()
    for style in sorted(p for p in styles.iterdir() if p.is_dir()):
        shutil.copytree(style, rules / style.name)
    shutil.copy(REPO / "rules" / "facts.yml", rules / "facts.yml")
    (root / "kbsync.toml").write_text(
        '[lint]\nrules_dir = "rules"\n[lint.secrets]\nallow = ["/^sk_test_/", "/EXAMPLE$/"]\n',
        encoding="utf-8",
    )
    return root


def one_round(limit: TimeLimit, rules: list[Rule], items: list[Item]) -> tuple[float, int]:
    """Seconds to run every rule on every item, and how many findings and extracts came out."""
    found = 0
    start = time.perf_counter()
    for item in items:
        for rule in rules:
            if isinstance(rule, FileRule):
                found += len(limit.check(rule, item))
            elif isinstance(rule, CorpusRule):
                found += limit.run(rule.extract, item, None)[0] is not None
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/hugo-docs")
    parser.add_argument("--styles", type=Path, default=REPO.parent / "shared/corpora/vale-gitlab")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each mode")
    args = parser.parse_args()
    for path in (args.corpus, args.styles):
        if not path.is_dir():
            sys.exit(f"{path}: not found (pass --corpus / --styles)")
    with tempfile.TemporaryDirectory(prefix="kbsync-limits-bench-") as tmp:
        root = build(Path(tmp), args.corpus, args.styles)
        settings = load_settings(root)
        items = []
        for path in discover([settings.content_root], root):
            text = read_text(path, root)[0]
            rel = relative_path(path, root)
            item = parse_item(rel, text, kind_of(rel))[0] if text is not None else None
            if item is not None:
                items.append(item)
        every, _ = build_rules(_context(settings, None))
        rules = [
            r
            for r in every
            if r.category in ("wording", "secrets") or r.rule_id == "conflicts.fact"
        ]
        limit = TimeLimit(settings, every)
        one_round(limit, rules, items)  # warm up (lazy state, caches of the rules)
        limited: list[float] = []
        raw: list[float] = []
        counts: set[int] = set()
        for _ in range(args.repeat):
            seconds, count = one_round(limit, rules, items)
            limited.append(seconds)
            counts.add(count)
            with unlimited():
                seconds, count = one_round(limit, rules, items)
            raw.append(seconds)
            counts.add(count)
    assert len(counts) == 1, f"the two modes found different things: {counts}"
    with_limit, without = statistics.median(limited), statistics.median(raw)
    print(f"{len(items)} files, {len(rules)} rules (Vale, facts, secrets), {counts.pop()} results")
    print(f"{'mode':34} {'median s':>9}")
    print(f"{'unlimited (regex called directly)':34} {without:9.3f}")
    print(f"{'limited (as kbsync runs)':34} {with_limit:9.3f}")
    print(f"limited ÷ unlimited: {with_limit / without:.3f}×")


if __name__ == "__main__":
    main()
