"""Sync cost, side by side in one run: write requests per changed item, and plan time.

Builds a throwaway git repository with N items (default 10,000) and syncs it to an in-process
sandbox, counting the sandbox's own request log:

- first sync: N creates, activations in bulk (one call per 100 per batch);
- 10 edits: exactly 10 PATCHes, nothing else written;
- 150 deletions: bulk deletes in chunks of 100;
- a re-run with nothing changed: no writes at all;

then times `plan` (offline: reading content and state only) with 10 files changed against all
N files changed. Goal: the 10-file plan takes at most 0.05x the all-files plan.

Each plan is timed in a fresh process (`plan_target` in a loop, median of `--repeat`). With
`--against PATH` (another kbsync checkout, e.g. `git archive be78f90 | tar -x -C /tmp/base`) the
same plans are also timed with that checkout's code, in alternating rounds on the same
repository and state, so both columns share the machine's load.

Run:  .venv/bin/python benchmarks/sync_bench.py [--items 10000] [--repeat 3] [--rounds 3]
      [--against PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from scratch import git

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.api import UppzyClient  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.sandbox import Limits, Sandbox, Scope  # noqa: E402
from pipeline.sync.service import SyncOptions, sync_target  # noqa: E402
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

PLAN_PROBE = """\
import json, statistics, sys, time
from pathlib import Path
from pipeline.config import load_settings
from pipeline.sync.service import make_store, plan_target
from pipeline.targets import Target
root, repeat = Path(sys.argv[1]), int(sys.argv[2])
target = Target("local", "s_bench", "t_bench")
times, loads, files = [], [], 0
for _ in range(repeat):
    start = time.perf_counter()
    plan = plan_target(load_settings(root), target)
    times.append(time.perf_counter() - start)
    files = plan.files_read
    settings = load_settings(root)
    store = make_store(settings, settings.environment("local"))
    start = time.perf_counter()
    store.load(target)
    loads.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times), "files": files,
                  "state": statistics.median(loads)}))
"""
"""One checkout's plan time in a fresh process (offline: content and state only), and the
time its state store takes to read and check the state alone."""


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
    parser.add_argument("--repeat", type=int, default=3, help="plans per process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per checkout")
    parser.add_argument("--against", type=Path, help="another kbsync checkout to time alongside")
    args = parser.parse_args()
    if args.against is not None and not (args.against / "pipeline").is_dir():
        sys.exit(f"{args.against}: not a kbsync checkout (no pipeline/ folder)")
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

            checkouts = {
                "this": REPO,
                **({"against": args.against.resolve()} if args.against else {}),
            }

            def time_plan() -> dict[str, tuple[float, int]]:
                """Median over rounds of each checkout's median, rounds alternating."""
                runs: dict[str, list[float]] = {name: [] for name in checkouts}
                files: dict[str, int] = {}
                for _ in range(args.rounds):
                    for name, code in checkouts.items():
                        seconds, files[name], state = plan_in(code, root, args.repeat)
                        runs[name].append(seconds)
                        loads[name].append(state)
                return {name: (statistics.median(runs[name]), files[name]) for name in checkouts}

            loads: dict[str, list[float]] = {name: [] for name in checkouts}

            for i in range(1, 21, 2):
                path_of(root, i).write_text(item_text(i, 2))
            git(root, "commit", "-qam", "10 more edits")
            small = time_plan()
            for i in range(n - 150):
                path_of(root, i).write_text(item_text(i, 3))
            git(root, "commit", "-qam", "every item edited")
            big = time_plan()
            client.close()
    print()
    print(f"plan time (fresh process per round, median of {args.rounds} rounds of {args.repeat})")
    header = f"{'changed files':16} {'files read':>10}"
    for name in checkouts:
        header += f" {name + ' s':>10} {'ratio':>7}"
    if len(checkouts) == 2:
        header += f" {'against ÷ this':>15}"
    print(header)
    for label, figures in (("10", small), (f"all {n - 150}", big)):
        line = f"{label:16} {figures['this'][1]:10}"
        for name in checkouts:
            line += f" {figures[name][0]:10.3f} {figures[name][0] / big[name][0]:7.3f}"
        if len(checkouts) == 2:
            line += f" {figures['against'][0] / figures['this'][0]:14.2f}×"
        print(line)
    line = f"{'state load alone':27}"
    for name in checkouts:
        line += f" {statistics.median(loads[name]):10.4f} {'':>7}"
    if len(checkouts) == 2:
        state_ratio = statistics.median(loads["against"]) / statistics.median(loads["this"])
        line += f" {state_ratio:14.2f}×"
    print(line)
    for name in checkouts:
        ratio = small[name][0] / big[name][0]
        verdict = "met" if ratio <= 0.05 else "NOT met"
        print(f"goal ({name}): 10-changed plan <= 0.05x all-changed plan: {verdict} ({ratio:.3f})")


def plan_in(code: Path, root: Path, repeat: int) -> tuple[float, int, float]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(  # -P and the repository as working folder: `code` is what imports
        [sys.executable, "-P", "-c", PLAN_PROBE, str(root), str(repeat)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), int(data["files"]), float(data["state"])


if __name__ == "__main__":
    main()
