"""Sync cost, side by side in one run: write requests per changed item, and plan time.

Builds a throwaway git repository with N items (default 10,000) and syncs it to an in-process
sandbox, counting the sandbox's own request log:

- first sync: N creates, activations in bulk (one call per 100 per batch);
- 10 edits: exactly 10 PATCHes, nothing else written;
- 150 deletions: bulk deletes in chunks of 100;
- a re-run with nothing changed: no writes at all;

then times `plan` (offline: reading content and state only) with 10 files changed against all
N files changed. Goal: the 10-file plan takes at most 0.05x the all-files plan.

Run:  .venv/bin/python benchmarks/sync_bench.py [--items 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.api import UppzyClient  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.sandbox import Limits, Sandbox, Scope  # noqa: E402
from pipeline.sync.service import SyncOptions, plan_target, sync_target  # noqa: E402
from pipeline.targets import Target  # noqa: E402

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
  - id: qa
    include: ["qa/**"]
    environments: [local]
"""
WRITES = {"POST", "PATCH", "DELETE", "PUT"}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def item_text(i: int, version: int = 0) -> str:
    body = f"Answer number {i}, revision {version}. Parcels stay safe."
    if i % 2:
        return (
            f"---\nid: qa.q{i:05}\nquestion: How does feature {i} work?\nstatus: approved\n"
            f"reviewed: 2026-10-01\n---\n{body}\n"
        )
    return (
        f"---\nid: docs.d{i:05}\ntitle: Feature {i}\nstatus: approved\nreviewed: 2026-10-01\n"
        f"---\n# Feature {i}\n\n{body}\n"
    )


def path_of(root: Path, i: int) -> Path:
    return root / "content" / ("qa" if i % 2 else "docs") / f"f{i // 1000}" / f"i{i:05}.md"


def build(root: Path, items: int) -> None:
    (root / "content").mkdir(parents=True)
    (root / "content" / "rollout.yaml").write_text(ROLLOUT)
    (root / "kbsync.toml").write_text(CONFIG)
    (root / ".gitignore").write_text(".kbsync/\n")
    for i in range(items):
        path = path_of(root, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item_text(i))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "content")


def writes(sandbox: Sandbox, since: int) -> Counter[str]:
    log = sandbox.request_log()[since:]
    return Counter(r.operation or r.path for r in log if r.method in WRITES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.items
    with tempfile.TemporaryDirectory(prefix="kbsync-sync-bench-") as tmp:
        root = Path(tmp) / "repo"
        build(root, n)
        target = Target("local", "s_bench", "t_bench")
        scope = Scope("t_bench", ("s_bench",), limits=Limits(documents=n * 2))
        with Sandbox(None, open_scope=scope, ready_delay=0) as sandbox:
            settings = load_settings(root)
            client = UppzyClient.for_environment(
                settings.environment("local"), transport=sandbox.transport()
            )
            rows = []

            def run(label: str, changed: int, **options: bool) -> None:
                before = len(sandbox.request_log())
                start = time.perf_counter()
                outcome = sync_target(
                    load_settings(root), target, client, options=SyncOptions(**options)
                )
                seconds = time.perf_counter() - start
                assert outcome.result.ok, outcome.result.failures
                counts = writes(sandbox, before)
                total = sum(counts.values())
                per = f"{total / changed:.2f}" if changed else "-"
                detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
                rows.append((label, changed, total, per, detail, seconds))

            run(f"first sync of {n} items", n)
            for i in range(0, 20, 2):
                path_of(root, i).write_text(item_text(i, 1))
            git(root, "commit", "-qam", "10 edits")
            run("10 items edited", 10)
            for i in range(n - 150, n):
                path_of(root, i).unlink()
            git(root, "commit", "-qam", "150 deletions")
            run("150 items deleted", 150, allow_mass_delete=True)
            run("nothing changed", 0)

            print(f"write requests per changed item ({n} items, in-process sandbox)")
            print(
                f"{'run':28} {'changed':>8} {'writes':>7} {'per item':>9}  {'seconds':>8}  detail"
            )
            for label, changed, total, per, detail, seconds in rows:
                print(f"{label:28} {changed:8} {total:7} {per:>9}  {seconds:8.2f}  {detail}")

            def time_plan() -> tuple[float, int]:
                times, files = [], 0
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    plan = plan_target(load_settings(root), target)
                    times.append(time.perf_counter() - start)
                    files = plan.files_read
                return statistics.median(times), files

            for i in range(1, 21, 2):
                path_of(root, i).write_text(item_text(i, 2))
            git(root, "commit", "-qam", "10 more edits")
            small, small_files = time_plan()
            for i in range(n - 150):
                path_of(root, i).write_text(item_text(i, 3))
            git(root, "commit", "-qam", "every item edited")
            big, big_files = time_plan()
            client.close()
    print()
    print(f"plan time (median of {args.repeat}, offline)")
    print(f"{'changed files':28} {'files read':>10} {'seconds':>9} {'ratio':>7}")
    print(f"{'10':28} {small_files:10} {small:9.3f} {small / big:7.3f}")
    print(f"{'all ' + str(n - 150):28} {big_files:10} {big:9.3f} {1:7.3f}")
    print(
        f"goal: 10-changed plan <= 0.05x all-changed plan: {'met' if small / big <= 0.05 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
