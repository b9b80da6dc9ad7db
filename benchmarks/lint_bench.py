"""Lint speed on real content: cold, warm (cache) and --changed-since, side by side in one run.

Builds a throwaway repository in a temporary folder: `content/docs/` is a copy of the Hugo
documentation corpus (992 real Markdown files) and `rules/` holds GitLab's own Vale styles, then
times `kbsync lint` as a whole process:

- cold: an empty cache;
- warm: the same tree again (every file's results come from the cache);
- changed: `--changed-since HEAD` after editing 5 files, with the cache from the warm run;
- changed, no cache: the same on a fresh CI runner (`--no-cache`): per-file rules see only the
  5 files, but cross-file rules still read every file.

Run:  .venv/bin/python benchmarks/lint_bench.py [--corpus ../shared/corpora/hugo-docs]
      [--styles ../shared/corpora/vale-gitlab] [--repeat 3] [--select RULES]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KBSYNC = [sys.executable, "-m", "pipeline"]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def timed(root: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([*KBSYNC, *args], cwd=root, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"kbsync {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return elapsed, last


def build(workdir: Path, corpus: Path, styles: Path) -> Path:
    root = workdir / "repo"
    shutil.copytree(corpus, root / "content" / "docs")
    rules = root / "rules"
    rules.mkdir()
    for style in sorted(p for p in styles.iterdir() if p.is_dir()):
        shutil.copytree(style, rules / style.name)
    (root / "kbsync.toml").write_text('[lint]\nrules_dir = "rules"\n', encoding="utf-8")
    (root / ".gitignore").write_text(".kbsync/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/hugo-docs")
    parser.add_argument("--styles", type=Path, default=REPO.parent / "shared/corpora/vale-gitlab")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm/changed figure")
    parser.add_argument("--select", default="", help="limit the rules (default: all)")
    args = parser.parse_args()
    for path in (args.corpus, args.styles):
        if not path.is_dir():
            sys.exit(f"{path}: not found (pass --corpus / --styles)")
    extra = ["--select", args.select] if args.select else []
    with tempfile.TemporaryDirectory(prefix="kbsync-lint-bench-") as tmp:
        root = build(Path(tmp), args.corpus, args.styles)
        files = sum(1 for _ in (root / "content").rglob("*.md"))
        cold_times, summary = [], ""
        for _ in range(max(1, args.repeat - 1)):
            shutil.rmtree(root / ".kbsync", ignore_errors=True)
            elapsed, summary = timed(root, "lint", *extra)
            cold_times.append(elapsed)
        warm_times = [timed(root, "lint", *extra)[0] for _ in range(args.repeat)]
        changed = sorted((root / "content" / "docs").rglob("*.md"))[::200][:5]
        for path in changed:
            path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n")
        timed(root, "lint", *extra)  # the edited files enter the cache once, as in a PR's rerun
        for path in changed:
            path.write_text(path.read_text(encoding="utf-8") + "Another line.\n")
        changed_times = [
            timed(root, "lint", "--changed-since", "HEAD", *extra)[0] for _ in range(args.repeat)
        ]
        fresh_times = [
            timed(root, "lint", "--changed-since", "HEAD", "--no-cache", *extra)[0]
            for _ in range(args.repeat)
        ]
    cold = statistics.median(cold_times)
    rows = [
        ("cold full lint", cold, files),
        ("warm re-run (cache)", statistics.median(warm_times), files),
        ("--changed-since, 5 files (cache)", statistics.median(changed_times), 5),
        ("--changed-since, 5 files (--no-cache)", statistics.median(fresh_times), 5),
    ]
    print(f"corpus: {files} files; rules: {args.select or 'all'}; last cold summary: {summary}")
    print(f"{'run':40} {'median s':>9} {'files/s':>9} {'cold ÷ this':>12}")
    for name, seconds, count in rows:
        print(f"{name:40} {seconds:9.2f} {count / seconds:9.1f} {cold / seconds:11.1f}×")


if __name__ == "__main__":
    main()
