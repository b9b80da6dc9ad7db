"""Answer impact of a pull request against linting the same change, side by side in one run.

Builds a throwaway git repository shaped like a real help centre: 1,000 documents in 20 sections
(each about one topic, with headings, paragraphs and a few numbers), 200 Q&A entries, 100 eval
questions (each asking about one document or entry in the words a customer would use), all in
batches approved for `local`. After a commit it edits 5 files in the working tree (a changed
figure an eval relies on, a reworded paragraph, a new heading, a Q&A answer, and an unrelated
document), then times, as whole processes, in interleaved rounds so they share the machine's load:

- `kbsync lint --changed-since HEAD` with the base's cache (as a PR runner that restored the
  base branch's cache: the changed files are linted, everything else comes from the cache);
- `kbsync lint --changed-since HEAD --no-cache` (a fresh runner);
- `kbsync impact --changed-since HEAD` (only the questions whose sources can move are asked);
- `kbsync impact --changed-since HEAD --all` (every question asked at both sides).

Goal (issue 16): `impact` at most 3x the time of `lint --changed-since` on the same change.

With `--profile`, one more `kbsync impact --changed-since HEAD` runs under cProfile and the
figures benchmarks/README.md quotes are printed from it: reading both sides, building the
indexes (per passage), answering (per question), the payload gate, masking the report and,
within it, building Presidio's analyzer (spaCy model included). `--repeat 0` skips the timings.

Run:  .venv/bin/python benchmarks/impact_bench.py [--docs 1000] [--qa 200] [--evals 100]
      [--changed 5] [--repeat 5] [--keep DIR] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch import git

REPO = Path(__file__).resolve().parents[1]
SEED = 16

CONFIG = """\
content_dir = "content"

[environments.local]
base_url = "sandbox:"
tenant_id = "t_bench"

[environments.local.sites.s_bench]
name = "Bench help centre"
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
SECTIONS = (
    "shipping", "returns", "billing", "account", "lockers", "tracking", "customs", "insurance",
    "packaging", "pickup", "delivery", "refunds", "invoices", "security", "notifications",
    "integrations", "warehouses", "couriers", "pallets", "subscriptions",
)  # fmt: skip
NOUNS = (
    "parcel", "label", "window", "fee", "courier", "locker", "code", "address", "invoice",
    "refund", "limit", "weight", "box", "route", "scanner", "driver", "depot", "barcode",
    "signature", "claim", "voucher", "pallet", "envelope", "receipt", "quote", "manifest",
    "deadline", "surcharge", "schedule", "contract", "webhook", "token", "report", "badge",
    "permit", "zone", "tariff", "exemption", "deposit", "hold", "notice", "slot", "van",
)  # fmt: skip
VERBS = (
    "extend", "cancel", "print", "change", "track", "collect", "return", "pay", "verify",
    "upgrade", "export", "schedule", "reprint", "insure", "weigh", "seal", "scan", "reroute",
)  # fmt: skip
UNITS = ("hours", "days", "business days", "kilograms", "euros", "minutes", "weeks")


def topic(rng: random.Random, section: str, index: int) -> tuple[str, str, str]:
    """A document's (noun, verb, distinctive word): what its questions ask about."""
    return rng.choice(NOUNS), rng.choice(VERBS), f"{section[:4]}{index:04}"


def paragraph(rng: random.Random, noun: str, verb: str, word: str) -> str:
    amount = rng.randint(2, 90)
    unit = rng.choice(UNITS)
    other = rng.choice(NOUNS)
    return (
        f"You can {verb} the {noun} for the {word} service within {amount} {unit}. "
        f"The {other} is checked by our team before the {noun} leaves the depot. "
        f"If the {noun} is late, the {word} desk will {rng.choice(VERBS)} it for you."
    )


def build(root: Path, docs: int, qa: int, evals: int) -> list[Path]:
    """Write the repository and return the files a PR edits, in order of preference."""
    rng = random.Random(SEED)
    content = root / "content"
    (content / "evals").mkdir(parents=True)
    (content / "rollout.yaml").write_text(ROLLOUT)
    (root / "kbsync.toml").write_text(CONFIG)
    (root / ".gitignore").write_text(".kbsync/\n")
    facts: list[tuple[str, str, str, str]] = []  # (question, phrase, path, kind)
    for i in range(docs):
        section = SECTIONS[i % len(SECTIONS)]
        noun, verb, word = topic(rng, section, i)
        path = content / "docs" / section / f"{word}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        paragraphs = [paragraph(rng, noun, verb, word) for _ in range(rng.randint(3, 6))]
        amount = rng.randint(2, 90)
        unit = rng.choice(UNITS)
        fact = f"{amount} {unit}"
        path.write_text(
            f"---\nid: docs.{section}.{word}\ntitle: {verb.title()} a {noun} for {word}\n"
            f"status: approved\nreviewed: 2026-10-01\n---\n"
            f"# {verb.title()} a {noun} for {word}\n\n"
            f"The {word} {noun} can be {verb}ed within {fact}.\n\n"
            + f"## How to {verb} the {noun}\n\n".join(p + "\n\n" for p in paragraphs)
        )
        facts.append(
            (f"How long do I have to {verb} the {noun} for {word}?", fact, str(path), "doc")
        )
    for i in range(qa):
        section = SECTIONS[i % len(SECTIONS)]
        noun, verb, word = topic(rng, section, 5000 + i)
        path = content / "qa" / section / f"{word}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        amount = rng.randint(2, 90)
        fact = f"{amount} {rng.choice(UNITS)}"
        question = f"Can I {verb} my {noun} at the {word} counter?"
        path.write_text(
            f"---\nid: qa.{section}.{word}\nquestion: {question}\nstatus: approved\n"
            f"reviewed: 2026-10-01\n---\nYes. The {word} counter lets you {verb} a {noun} "
            f"within {fact} of arrival.\n"
        )
        facts.append((question, fact, str(path), "qa"))
    chosen = rng.sample(range(len(facts)), evals)
    lines = ["evals:"]
    for n, index in enumerate(chosen):
        question, phrase, _, _ = facts[index]
        lines += [
            f"  - id: e{n:03}",
            f"    question: {json.dumps(question)}",
            f"    must_contain: [{json.dumps(phrase)}]",
            "    min_confidence: medium",
        ]
    (content / "evals" / "bench.yaml").write_text("\n".join(lines) + "\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "content")
    relied = [Path(facts[i][2]) for i in chosen]
    return relied + [Path(f[2]) for f in facts if Path(f[2]) not in relied]


def edit(files: list[Path], changed: int) -> None:
    """A PR: figures changed in files evals rely on, a new section, an unrelated edit."""
    for n, path in enumerate(files[: changed - 1]):
        text = path.read_text()
        if n % 2 == 0:
            text = re.sub(r"within (\d+)", lambda m: f"within {int(m[1]) + 1}", text, count=1)
        else:
            text += "\n## A new section\n\nThis part was added in the pull request.\n"
        path.write_text(text)
    last = files[-1]
    last.write_text(last.read_text() + "\nOne more sentence nobody asks about.\n")


def kbsync(root: Path, *args: str) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=root, env=env, capture_output=True
    )
    spent = time.perf_counter() - started
    if done.returncode > 1:
        sys.exit(f"kbsync {' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return spent, done.returncode


PROFILED = (
    # label, file (end of its path), function, per: "call" (time per call) or "" (total only)
    ("read both sides (read_files)", "pipeline/ops/impact/sides.py", "read_files", ""),
    ("index builds (Bm25Index)", "pipeline/sandbox/retrieval.py", "__init__", "passage"),
    ("answers asked (Answerer.answer)", "pipeline/sandbox/answering.py", "answer", "call"),
    ("shortcut (Answerer.unmoved)", "pipeline/sandbox/answering.py", "unmoved", "call"),
    ("payload gate (OutboundChecker)", "pipeline/lint/outbound.py", "__call__", "call"),
    ("masking the report (TextMasker)", "pipeline/lint/redact.py", "__call__", ""),
    ("  of it, Presidio analyzer build", "pipeline/lint/pii/analyzer.py", "_build", ""),
)


def profile(root: Path, passages: int) -> None:
    """`kbsync impact --changed-since HEAD` under cProfile: where its time goes."""
    out = root.parent / "impact.prof"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = ["-m", "pipeline", "impact", "--changed-since", "HEAD"]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), *command],
        cwd=root, env=env, capture_output=True, check=False,
    )  # fmt: skip
    whole = time.perf_counter() - started
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    print(f"cProfile of impact --changed-since HEAD (whole process {whole:.2f} s, profiled):")
    for label, where, name, per in PROFILED:
        found = [v for (f, _, n), v in stats.items() if f.endswith(where) and n == name]
        calls = sum(v[1] for v in found)
        spent = sum(v[3] for v in found)
        line = f"  {label:34} {spent:7.3f} s  {calls:5} calls"
        if per == "call" and calls:
            line += f"  {spent / calls * 1000:7.2f} ms a call"
        elif per == "passage" and calls:
            line += f"  {spent / calls:7.3f} s each over {passages:,} passages"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--qa", type=int, default=200)
    parser.add_argument("--evals", type=int, default=100)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile breakdown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbsync-impact-bench-") as tmp:
        root = args.keep or Path(tmp) / "repo"
        if root.exists():
            shutil.rmtree(root)
        files = build(root, args.docs, args.qa, args.evals)
        kbsync(root, "lint")  # fills the cache, as the base branch's run would
        cache, base_cache = root / ".kbsync" / "cache", Path(tmp) / "base-cache"
        shutil.copytree(cache, base_cache)
        edit(files, args.changed)
        runs = {
            "lint --changed-since (cache)": ("lint", "--changed-since", "HEAD"),
            "lint --changed-since --no-cache": ("lint", "--changed-since", "HEAD", "--no-cache"),
            "impact --changed-since": ("impact", "--changed-since", "HEAD"),
            "impact --changed-since --all": ("impact", "--changed-since", "HEAD", "--all"),
        }

        def measure(command: tuple[str, ...]) -> tuple[float, int]:
            # A PR runner restores the base branch's cache: the changed files are not in it.
            shutil.rmtree(cache)
            shutil.copytree(base_cache, cache)
            return kbsync(root, *command)

        for command in runs.values():  # bytecode and page cache warm for every command
            measure(command)
        if args.profile:
            shutil.rmtree(cache)
            shutil.copytree(base_cache, cache)
            profile(root, args.docs + args.qa)
        if not args.repeat:
            return
        times: dict[str, list[float]] = {name: [] for name in runs}
        statuses: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, command in runs.items():
                spent, status = measure(command)
                times[name].append(spent)
                statuses[name] = status
        _, report_status = kbsync(
            root, "impact", "--changed-since", "HEAD", "--format", "json", "--out", "impact.json"
        )
        report = json.loads((root / "impact.json").read_text())
    load = os.getloadavg()
    print(
        f"{args.docs} documents, {args.qa} Q&A, {args.evals} evals, {args.changed} files "
        f"changed; medians of {args.repeat}; load average {load[0]:.1f} {load[1]:.1f}"
    )
    base = statistics.median(times["lint --changed-since (cache)"])
    base_cold = statistics.median(times["lint --changed-since --no-cache"])
    print(f"{'command':34} {'median s':>9} {'÷ lint (cache)':>15} {'÷ lint (no cache)':>18} exit")
    for name, spent in times.items():
        median = statistics.median(spent)
        print(
            f"{name:34} {median:9.2f} {median / base:14.2f}x {median / base_cold:17.2f}x "
            f"{statuses[name]:>4}"
        )
    for target in report["targets"]:
        print(
            f"impact report (exit {report_status}), {target['target']}: "
            + json.dumps(target["counts"], sort_keys=True)
        )


if __name__ == "__main__":
    main()
