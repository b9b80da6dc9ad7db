"""Lint speed on real content: load times, cold, warm (cache) and --changed-since, per format,
side by side in one run.

Builds a throwaway repository in a temporary folder: `content/docs/` is a copy of the Hugo
documentation corpus (992 real Markdown files) and `rules/` holds GitLab's own Vale styles, then
times `kbsync lint` as a whole process, in every report format (`--format text|json|sarif|github|
gitlab|junit|rdjsonl`):

- cold: an empty cache;
- warm: the same tree again (every file's results come from the cache);
- changed: `--changed-since HEAD` after editing 5 files, with the cache from the warm run;
- changed, no cache: the same on a fresh CI runner (`--no-cache`): per-file rules see only the
  5 files, but cross-file rules still read every file.

First it times what the pii rules pay once per process (imports, the spaCy model, Presidio's
recognizers), loading the model the way kbsync did before and does now, in fresh processes.

With `--against PATH` (another kbsync checkout, e.g. `git archive` of an older commit), every lint
figure is also taken with that checkout's code on its own copy of the repository, in the same
rounds, so the two columns share the machine's load.

Python may write bytecode caches for the measured processes (`__pycache__/` next to the code)
and one run warms them first, as on an installed kbsync.

Run:  .venv/bin/python benchmarks/lint_bench.py [--corpus ../shared/corpora/hugo-docs]
      [--styles ../shared/corpora/vale-gitlab] [--repeat 3] [--select RULES]
      [--formats text,json,sarif,github,gitlab,junit,rdjsonl] [--against PATH] [--load-repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scratch import git

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "rdjsonl")
EDITED = 5

LOAD_PROBE = """\
import json, sys, time
started = time.perf_counter()
import spacy, presidio_analyzer
imported = time.perf_counter()
from pipeline.lint.pii import analyzer
if sys.argv[1] == "before":  # the components kbsync loaded before: only the fixed list left out
    analyzer._unused_components = lambda model: list(analyzer._NOT_NEEDED)
real_load, spent = spacy.load, []
def timed_load(*args, **kwargs):
    start = time.perf_counter()
    nlp = real_load(*args, **kwargs)
    spent.append(time.perf_counter() - start)
    return nlp
spacy.load = timed_load
built = analyzer.analyzer_for(analyzer.DEFAULT_MODEL)
done = time.perf_counter()
print(json.dumps({"imports": imported - started, "model": spent[0],
                  "rest": done - imported - spent[0], "total": done - started,
                  "components": built.nlp.component_names}))
"""

RENDER_PROBE = """\
import json, statistics, sys, time
from pathlib import Path
from pipeline.config import load_settings
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.lint.reporters import render
settings = load_settings(Path.cwd())
report = run_lint(settings, LintOptions())
try:  # the CLI's context: the CI formats read the findings' lines, as `kbsync lint` has them
    from pipeline.cli.lint_output import report_context
    context = report_context(settings, None, False)
except ImportError:  # an older checkout
    context = None
figures = {}
for fmt in sys.argv[1].split(","):
    spent = []
    for _ in range(int(sys.argv[2])):
        start = time.perf_counter()
        text = render(report, fmt, context=context)
        spent.append(time.perf_counter() - start)
    figures[fmt] = statistics.median(spent)
print(json.dumps({"findings": len(report.findings), "seconds": figures}))
"""
"""Rendering alone, in one process over the warm run's report: the steadier figure on a busy
machine (the reporters' entry point `render(report, fmt)` is the same in older checkouts)."""


@dataclass
class Tree:
    """One kbsync checkout and its own copy of the bench repository."""

    name: str
    code: Path
    root: Path
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)


def environment(code: Path) -> dict[str, str]:
    """`code` on the path, and bytecode written next to it (`__pycache__/`, ignored by git)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code)
    return env


def timed(tree: Tree, env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=tree.root,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(
            f"{tree.name}: kbsync {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
        )
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return elapsed, last


def build(workdir: Path, corpus: Path, styles: Path) -> Path:
    root = workdir / "repo"
    shutil.copytree(corpus, root / "content" / "docs")
    rules = root / "rules"
    rules.mkdir()
    for style in sorted(p for p in styles.iterdir() if p.is_dir()):
        shutil.copytree(style, rules / style.name)
    (root / "content" / "rollout.yaml").write_text(
        'batches:\n  - id: all\n    include: ["**"]\n    environments: [local]\n',
        encoding="utf-8",
    )
    (root / "kbsync.toml").write_text('[lint]\nrules_dir = "rules"\n', encoding="utf-8")
    (root / ".gitignore").write_text(".kbsync/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    return root


def load_times(repeat: int, env: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The pii rules' one-off cost in fresh processes, before and after, alternating."""
    found: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for round_ in range(repeat + 1):  # the first round only warms the file and bytecode caches
        for variant in found:
            out = subprocess.run(
                [sys.executable, "-c", LOAD_PROBE, variant],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            if round_:
                found[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return found


def print_load(found: dict[str, list[dict[str, Any]]]) -> None:
    print("pii rules' one-off cost per process (fresh processes, medians):")
    for variant in found:
        components = found[variant][0]["components"]
        print(f"  {variant}: loads {', '.join(components)}")
    print(f"  {'step':34} {'before s':>9} {'after s':>9} {'before ÷ after':>15}")
    steps = [
        ("import spaCy + Presidio", "imports"),
        ("spacy.load (the model)", "model"),
        ("Presidio recognizers, word list", "rest"),
        ("total", "total"),
    ]
    for name, key in steps:
        before = statistics.median(m[key] for m in found["before"])
        after = statistics.median(m[key] for m in found["after"])
        print(f"  {name:34} {before:9.3f} {after:9.3f} {before / after:14.2f}×")
    print()


def edit(trees: list[Tree], files: list[str], text: str) -> None:
    for tree in trees:
        for rel in files:
            path = tree.root / rel
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def record(tree: Tree, run: str, fmt: str, seconds: float) -> None:
    tree.times.setdefault((run, fmt), []).append(seconds)


RUNS = [
    ("cold", "cold full lint (empty cache)"),
    ("warm", "warm re-run (cache)"),
    ("changed", f"--changed-since, {EDITED} files (cache)"),
    ("fresh", f"--changed-since, {EDITED} files (--no-cache)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/hugo-docs")
    parser.add_argument("--styles", type=Path, default=REPO.parent / "shared/corpora/vale-gitlab")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm/changed figure")
    parser.add_argument("--select", default="", help="limit the rules (default: all)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="report formats to time")
    parser.add_argument("--against", type=Path, help="another kbsync checkout to time alongside")
    parser.add_argument(
        "--load-repeat", type=int, default=5, help="fresh processes per load figure"
    )
    args = parser.parse_args()
    for path in (args.corpus, args.styles, *([args.against] if args.against else [])):
        if not path.is_dir():
            sys.exit(f"{path}: not found (pass --corpus / --styles / --against)")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    extra = ["--select", args.select] if args.select else []
    with tempfile.TemporaryDirectory(prefix="kbsync-lint-bench-") as tmp:
        work = Path(tmp)
        first = build(work / "this", args.corpus, args.styles)
        trees = [Tree("this", REPO, first)]
        if args.against:
            shutil.copytree(first, work / "against" / "repo", symlinks=True)
            trees.append(Tree("against", args.against.resolve(), work / "against" / "repo"))
        envs = {tree.name: environment(tree.code) for tree in trees}
        if args.load_repeat > 0:
            print_load(load_times(args.load_repeat, envs["this"]))
        for tree in trees:  # bytecode caches written, as on an installed kbsync
            timed(tree, envs[tree.name], "lint", "--no-cache", "--select", "schema")
        files = sum(1 for _ in (first / "content").rglob("*.md"))
        summary = ""
        for _ in range(max(1, args.repeat - 1)):
            for fmt in formats:
                for tree in trees:
                    shutil.rmtree(tree.root / ".kbsync", ignore_errors=True)
                    seconds, last = timed(tree, envs[tree.name], "lint", "--format", fmt, *extra)
                    record(tree, "cold", fmt, seconds)
                    summary = last if fmt == "text" else summary
        for _ in range(args.repeat):
            for fmt in formats:
                for tree in trees:
                    seconds = timed(tree, envs[tree.name], "lint", "--format", fmt, *extra)[0]
                    record(tree, "warm", fmt, seconds)
        rendering = {
            tree.name: render_times(tree, envs[tree.name], formats, args.repeat) for tree in trees
        }
        docs = sorted((first / "content" / "docs").rglob("*.md"))[::200][:EDITED]
        changed = [p.relative_to(first).as_posix() for p in docs]
        edit(trees, changed, "\nOne more line.\n")
        for tree in trees:  # the edited files enter the cache once, as in a PR's rerun
            timed(tree, envs[tree.name], "lint", *extra)
        edit(trees, changed, "Another line.\n")
        for run, flags in (("changed", []), ("fresh", ["--no-cache"])):
            for _ in range(args.repeat):
                for fmt in formats:
                    for tree in trees:
                        argv = ["lint", "--changed-since", "HEAD", *flags, "--format", fmt]
                        seconds = timed(tree, envs[tree.name], *argv, *extra)[0]
                        record(tree, run, fmt, seconds)
    print(f"corpus: {files} files; rules: {args.select or 'all'}; last cold summary: {summary}")
    header = f"{'format':7} {'run':40}"
    for tree in trees:
        header += f" {tree.name + ' s':>10} {'cold ÷ this':>12}"
    print(header)
    for fmt in formats:
        for run, label in RUNS:
            line = f"{fmt:7} {label:40}"
            for tree in trees:
                cold = statistics.median(tree.times[("cold", fmt)])
                seconds = statistics.median(tree.times[(run, fmt)])
                line += f" {seconds:10.2f} {cold / seconds:11.1f}×"
            print(line)
    print()
    print(f"rendering alone (in-process, warm report of {rendering['this'][0]} findings, medians):")
    header = f"{'format':7}" + "".join(f" {tree.name + ' s':>10}" for tree in trees)
    if len(trees) == 2:
        header += f" {'against ÷ this':>15}"
    print(header)
    for fmt in formats:
        seconds = [rendering[tree.name][1][fmt] for tree in trees]
        line = f"{fmt:7}" + "".join(f" {value:10.3f}" for value in seconds)
        if len(seconds) == 2:
            line += f" {seconds[1] / seconds[0]:14.1f}×"
        print(line)


def render_times(
    tree: Tree, env: dict[str, str], formats: list[str], repeat: int
) -> tuple[int, dict[str, float]]:
    out = subprocess.run(
        [sys.executable, "-c", RENDER_PROBE, ",".join(formats), str(max(repeat, 3))],
        cwd=tree.root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return int(data["findings"]), {k: float(v) for k, v in data["seconds"].items()}


if __name__ == "__main__":
    main()
