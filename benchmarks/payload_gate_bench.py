"""Payload-gate overhead, side by side in one run: a full plan of the Hugo corpus with and without.

The payload gate (:class:`pipeline.lint.outbound.OutboundChecker`) runs the secrets and pii
rules on every payload a plan reads. Goal: at most +15% on a full plan of the Hugo
documentation corpus.

The corpus is read where it lives (default `../shared/corpora/hugo-docs`, 992 files) and
written into a throwaway git repository outside this one, each file given kbsync frontmatter
(id, title, approved) so every file is a document of the plan. Then, alternating to share the
machine's noise fairly, each of `--repeat` rounds times:

- *plan*: `plan_target` offline with an empty state (a full scan: every file read and
  normalised), no gate;
- *plan + gate*: the same with the gate, built before the clock starts (as `kbsync plan`
  builds it once per run);

and, inside each gated plan, the time spent in the gate's own calls (a steadier figure than the
difference of two noisy medians). The first gated plan, run before the rounds, is reported
apart: it pays one-off costs (compiling expressions; the spaCy model, if some payload needs it).

Run:  .venv/bin/python benchmarks/payload_gate_bench.py [--corpus ../shared/corpora/hugo-docs] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import load_settings  # noqa: E402
from pipeline.corpus import Item  # noqa: E402
from pipeline.corpus.outbound import OutboundFinding, OutboundText  # noqa: E402
from pipeline.lint.outbound import OutboundChecker  # noqa: E402
from pipeline.sync.plan import Plan  # noqa: E402
from pipeline.sync.service import SyncOptions, plan_target  # noqa: E402
from pipeline.targets import Target  # noqa: E402

DEFAULT_CORPUS = next(
    (
        base / "shared" / "corpora" / "hugo-docs"
        for base in (REPO.parent, REPO.parent.parent)  # a checkout, or a worktree under wt/
        if (base / "shared" / "corpora" / "hugo-docs").is_dir()
    ),
    REPO.parent / "shared" / "corpora" / "hugo-docs",
)
CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_bench"
[environments.local.sites.s_bench]
audiences = ["public"]
"""
ROLLOUT = """\
batches:
  - id: docs
    include: ["docs/**"]
    environments: [local]
"""
_FRONTMATTER = re.compile(r"\A(?:---\n.*?\n---|\+\+\+\n.*?\n\+\+\+)\n", re.S)
_TITLE = re.compile(r"^title\s*[:=]\s*['\"]?(.*?)['\"]?\s*$", re.M)


def build_repo(corpus: Path, root: Path) -> int:
    """Copy `corpus` into `root/content/docs` with kbsync frontmatter; commit; file count."""
    files = sorted(corpus.rglob("*.md"))
    for number, source in enumerate(files):
        text = source.read_text(encoding="utf-8", errors="replace")
        head = _FRONTMATTER.match(text)
        found = _TITLE.search(head.group(0)) if head else None
        title = (found.group(1) if found else "") or source.stem
        body = text[head.end() :] if head else text
        rel = source.relative_to(corpus)
        target = root / "content" / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        safe_title = title.replace('"', "'")
        target.write_text(
            f'---\nid: docs.h{number:04}\ntitle: "{safe_title} ({rel.as_posix()})"\n'
            f"status: approved\nreviewed: 2026-10-01\n---\n{body}",
            encoding="utf-8",
        )
    (root / "content" / "rollout.yaml").write_text(ROLLOUT, encoding="utf-8")
    (root / "kbsync.toml").write_text(CONFIG, encoding="utf-8")
    (root / ".gitignore").write_text(".kbsync/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "hugo"], cwd=root, check=True)
    return len(files)


class TimedGate:
    """The gate, with the time spent in its calls added up."""

    def __init__(self, gate: OutboundChecker) -> None:
        self.gate = gate
        self.seconds = 0.0

    def __call__(self, item: Item, outbound: OutboundText) -> list[OutboundFinding]:
        start = time.perf_counter()
        try:
            return self.gate(item, outbound)
        finally:
            self.seconds += time.perf_counter() - start


def timed(run: Callable[[], Plan]) -> tuple[float, Plan]:
    start = time.perf_counter()
    plan = run()
    return time.perf_counter() - start, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}: pass --corpus DIR")
    with tempfile.TemporaryDirectory(prefix="kbsync-gate-bench-") as tmp:
        root = Path(tmp)
        count = build_repo(args.corpus, root)
        settings = load_settings(root)
        target = Target("local", "s_bench", "t_bench")
        options = SyncOptions()

        started = time.perf_counter()
        gate = TimedGate(OutboundChecker(settings))
        built = time.perf_counter() - started
        # The first gated plan pays the spaCy model's loading once; time it apart.
        first, plan = timed(lambda: plan_target(settings, target, options=options, check=gate))
        plain_times: list[float] = []
        gated_times: list[float] = []
        inside: list[float] = []
        for _ in range(args.repeat):
            seconds, plain = timed(lambda: plan_target(settings, target, options=options))
            plain_times.append(seconds)
            gate.seconds = 0.0
            seconds, plan = timed(
                lambda: plan_target(settings, target, options=options, check=gate)
            )
            gated_times.append(seconds)
            inside.append(gate.seconds / seconds)
        plain_s, gated_s = statistics.median(plain_times), statistics.median(gated_times)
        print(f"Hugo corpus: {count} files, {plain.count('create')} documents planned")
        print(f"blocked by the gate: {len(plan.blocked)}")
        for blocked in plan.blocked:
            for finding in blocked.findings:
                print(f"  {finding}")
        print()
        print(f"| run | median s (of {args.repeat}) | ratio |")
        print("| --- | ---: | ---: |")
        print(f"| full plan, no gate | {plain_s:.3f} | 1.00 |")
        print(f"| full plan + payload gate | {gated_s:.3f} | {gated_s / plain_s:.2f} |")
        share = statistics.median(inside)
        print(f"| time in the gate's calls, within the gated plan | "
              f"{share * gated_s:.3f} | {share / (1 - share):.2f} of the rest |")  # fmt: skip
        print()
        model = "loaded" if "spacy" in sys.modules else "not needed"
        print(f"one-off: building the gate {built:.3f} s; first gated plan {first:.3f} s "
              f"(spaCy model {model}): {first / plain_s:.2f}x the plain plan's median")  # fmt: skip
        print(f"gate overhead: medians {100 * (gated_s / plain_s - 1):+.1f}%, its own calls "
              f"{100 * share / (1 - share):+.1f}% (goal: at most +15%)")  # fmt: skip


if __name__ == "__main__":
    main()
