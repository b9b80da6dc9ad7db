"""The manifest: a warm run reads no unchanged file and builds no rule, yet misses no change."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.lint import engine, keys, manifest
from pipeline.lint.engine import LintOptions, LintReport, run_lint
from pipeline.lint.manifest import MANIFEST_FILE, RACY_NS
from tests.helpers import doc, settings_for, write_repo

TODAY = dt.date(2026, 11, 23)
STYLE = """\
extends: existence
message: "Avoid '%s'."
level: error
tokens:
  - simply
"""


def lint(root: Path, **options: Any) -> LintReport:
    return run_lint(settings_for(root), LintOptions(today=TODAY, **options))


def shown(report: LintReport) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in report.findings]


def age(path: Path, seconds: float = 60) -> None:
    """Date `path` back, as if written long before the run that follows."""
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(
        tmp_path,
        {
            "content/docs/a.md": doc("docs.a", "A", "TODO one"),
            "content/docs/b.md": doc("docs.b", "B", "Fine."),
            "rules/House/Simply.yml": STYLE,
        },
        config='[lint]\nrules_dir = "rules"\n',
    )
    for path in (root / "content/docs").iterdir():
        age(path)
    return root


class Forbidden(AssertionError):
    pass


@pytest.fixture
def no_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make building rules or reading a content file fail the test."""

    def build(*args: object) -> object:
        raise Forbidden("rules were built")

    real_read = manifest.read_bytes

    def read(path: Path) -> bytes | None:
        if "content" in path.parts:
            raise Forbidden(f"{path} was read")
        return real_read(path)

    monkeypatch.setattr(engine, "_all_rules", build)
    monkeypatch.setattr(manifest, "read_bytes", read)


def test_a_warm_run_builds_no_rule_and_reads_no_file(repo: Path, request: Any) -> None:
    first = lint(repo)
    assert shown(first) == [("internal.marker", "content/docs/a.md", 9)]
    assert [s.rule_id for s in first.skipped_rules] == []
    request.getfixturevalue("no_rules")
    second = lint(repo)
    assert shown(second) == shown(first)
    assert second.cached == 2


def test_the_skipped_rules_are_remembered(repo: Path, request: Any) -> None:
    (repo / "rules/House/Odd.yml").write_text("extends: metric\nmessage: x\nformula: '1'\n")
    first = lint(repo)
    assert [s.rule_id for s in first.skipped_rules] == ["House.Odd"]
    request.getfixturevalue("no_rules")
    assert [s.rule_id for s in lint(repo).skipped_rules] == ["House.Odd"]


def test_a_file_written_in_the_manifests_tick_is_hashed_again(repo: Path) -> None:
    # On a file system with coarse timestamps an edit in the same tick keeps size and mtime;
    # an entry whose mtime is not clearly older than the manifest is therefore never trusted.
    target = repo / "content/docs/b.md"
    target.write_text(target.read_text())  # written now, like the manifest about to be
    lint(repo)
    before = target.stat()
    target.write_text(target.read_text().replace("Fine.", "TODO."))  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    written = json.loads((repo / ".kbsync/cache" / MANIFEST_FILE).read_text())["written"]
    assert written - before.st_mtime_ns < RACY_NS
    assert ("internal.marker", "content/docs/b.md", 9) in shown(lint(repo))


def test_an_ordinary_edit_is_seen(repo: Path) -> None:
    lint(repo)
    target = repo / "content/docs/b.md"
    target.write_text(target.read_text().replace("Fine.", "Fine, but TODO."))
    assert ("internal.marker", "content/docs/b.md", 9) in shown(lint(repo))
    age(target)
    target.write_text(target.read_text().replace("Fine, but TODO.", "Fine."))
    assert shown(lint(repo)) == [("internal.marker", "content/docs/a.md", 9)]


def test_a_new_and_a_deleted_file_are_seen(repo: Path) -> None:
    lint(repo)
    (repo / "content/docs/a.md").unlink()
    (repo / "content/docs/c.md").write_text(doc("docs.c", "C", "FIXME"))
    report = lint(repo)
    assert shown(report) == [("internal.marker", "content/docs/c.md", 9)]
    assert report.files == 2


def test_changing_a_style_builds_the_rules_again(repo: Path) -> None:
    lint(repo)
    b = repo / "content/docs/b.md"
    b.write_text(b.read_text().replace("Fine.", "It is simply fine."))
    age(b)
    assert ("House.Simply", "content/docs/b.md", 9) in shown(lint(repo))
    (repo / "rules/House/Simply.yml").write_text(STYLE.replace("simply", "merely"))
    assert ("House.Simply", "content/docs/b.md", 9) not in shown(lint(repo))


def test_a_cache_built_yesterday_answers_today(repo: Path, request: Any) -> None:
    # The dated rules (freshness) run from cached extracts: a new day re-lints nothing.
    lint(repo)
    request.getfixturevalue("no_rules")
    later = run_lint(settings_for(repo), LintOptions(today=dt.date(2028, 1, 1)))
    assert ("freshness.review-overdue", "content/docs/b.md", 5) in shown(later)
    assert later.cached == 2
    before = run_lint(settings_for(repo), LintOptions(today=dt.date(2026, 1, 1)))
    assert ("freshness.reviewed-in-future", "content/docs/b.md", 5) in shown(before)


def test_every_dated_rule_runs_without_the_registry() -> None:
    from pipeline.lint.registry import CODE_RULES
    from pipeline.lint.rule import DatedRule
    from pipeline.lint.rules import freshness

    dated = [rule for rule in CODE_RULES if issubclass(rule, DatedRule)]
    assert dated == list(freshness.RULES)


def test_changing_the_selection_builds_the_rules_again(repo: Path) -> None:
    lint(repo)
    assert shown(lint(repo, select=("freshness",))) == []
    assert shown(lint(repo, ignore=("internal",))) == []
    assert shown(lint(repo)) == [("internal.marker", "content/docs/a.md", 9)]


def test_a_corrupt_manifest_is_only_a_slower_run(repo: Path) -> None:
    first = shown(lint(repo))
    (repo / ".kbsync/cache" / MANIFEST_FILE).write_text("{not json")
    assert shown(lint(repo)) == first
    assert json.loads((repo / ".kbsync/cache" / MANIFEST_FILE).read_text())["format"] == 1


def test_no_cache_neither_reads_nor_writes_the_manifest(repo: Path) -> None:
    lint(repo, use_cache=False)
    assert not (repo / ".kbsync").exists()


_PROBE = """\
import json, sys
from pipeline.cli import main
try:
    main(["lint"])
except SystemExit as exit:
    code = exit.code
heavy = ["markdown_it", "pipeline.lint.registry", "pipeline.corpus.parse", "git", "regex"]
print(json.dumps([code, sorted(m for m in heavy if m in sys.modules)]), file=sys.stderr)
"""


def _probe(root: Path) -> list[Any]:
    env = {**os.environ, "KBSYNC_TODAY": TODAY.isoformat()}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=root, env=env, capture_output=True, text=True
    )
    result: list[Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


def test_a_warm_process_imports_neither_parser_nor_rules_nor_git(repo: Path) -> None:
    cold = ["markdown_it", "pipeline.corpus.parse", "pipeline.lint.registry", "regex"]
    assert _probe(repo) == [1, cold]
    assert _probe(repo) == [1, []]


def test_rules_at_the_repository_root_still_give_warm_runs(tmp_path: Path, request: Any) -> None:
    # rules_dir = "." walks the whole repository for the inputs key: kbsync's own cache and
    # .git change on every run and must not count, or no run would ever be warm.
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": doc("docs.a", "A", "TODO one"), "House/Simply.yml": STYLE},
        config='[lint]\nrules_dir = "."\n',
        rollout=False,
    )
    age(root / "content/docs/a.md")
    first = lint(root)
    request.getfixturevalue("no_rules")
    assert shown(lint(root)) == shown(first)


def test_editing_kbsyncs_own_lint_code_starts_a_new_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "pipeline"
    for rel in ("config.py", "corpus/model.py", "lint/keys.py", "lint/rules/schema.py"):
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text("# code\n")
    (package / "sync").mkdir()
    (package / "sync/plan.py").write_text("# not lint code\n")
    monkeypatch.setattr(keys, "__file__", str(package / "lint/keys.py"))

    def stamp() -> str:
        keys.code_stamp.cache_clear()
        return keys.code_stamp()

    try:
        first = stamp()
        (package / "sync/plan.py").write_text("# not lint code, edited\n")
        assert stamp() == first
        os.utime(package / "lint/keys.py", (1, 1))  # installed afresh: same bytes
        assert stamp() == first
        (package / "lint/rules/schema.py").write_text("# code, edited\n")
        assert stamp() != first
    finally:
        keys.code_stamp.cache_clear()


def test_every_module_a_lint_run_imports_is_in_the_code_stamp() -> None:
    """Moving lint code out of `corpus/`, `lint/` or the package's top level (the Vale engine,
    the facts reader, the YAML reader) must not leave it out of the cache key."""
    script = (
        "import sys\n"
        "import pipeline.lint.engine, pipeline.lint.registry\n"
        "print('\\n'.join(m.__file__ for n, m in sorted(sys.modules.items())\n"
        "                  if n.startswith('pipeline') and getattr(m, '__file__', None)))\n"
    )
    package = Path(keys.__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=package.parent,  # this checkout's package, not an installed one
    ).stdout
    imported = {Path(line).resolve() for line in out.splitlines()}
    assert package / "lint" / "vale" / "reader.py" in imported
    assert package / "lint" / "conflicts" / "facts.py" in imported
    assert package / "yamlfile.py" in imported
    assert sorted(imported - set(keys.stamped_modules(package))) == []


def test_a_warm_sarif_report_builds_no_rule_and_describes_every_rule(
    repo: Path, request: Any
) -> None:
    from pipeline.lint.reporters import render

    first = lint(repo)
    first.describe_rules = None  # the table from the built rules themselves
    cold = render(first, "sarif")
    request.getfixturevalue("no_rules")
    warm = render(lint(repo), "sarif")
    assert warm == cold
    rules = json.loads(warm)["runs"][0]["tool"]["driver"]["rules"]
    house = next(rule for rule in rules if rule["id"] == "House.Simply")
    assert house["defaultConfiguration"] == {"level": "error"}
    assert any(rule["id"] == "internal.marker" for rule in rules)


def test_a_manifest_without_rule_descriptions_builds_the_rules_once(repo: Path) -> None:
    """A manifest written before the descriptions were kept: the rules are built once more."""
    from pipeline.lint.reporters import render

    cold = render(lint(repo), "sarif")
    path = repo / ".kbsync/cache" / MANIFEST_FILE
    data = json.loads(path.read_text())
    for entry in data["rule_sets"].values():
        del entry["described"]
    path.write_text(json.dumps(data))
    assert render(lint(repo), "sarif") == cold
    kept = json.loads(path.read_text())["rule_sets"].values()
    assert all(entry["described"] for entry in kept)
