"""The lint engine: which files, which rules, cache, workers, suppression and baseline.

`run_lint` is the one entry point (the CLI calls it and renders its :class:`LintReport`):

1. the *target* files are the paths asked for (default: the content root), or with
   `--changed-since REF` the content files changed against REF;
2. every content file is hashed (read only when its size or mtime differs from the manifest's
   record, :mod:`pipeline.lint.manifest`); an unchanged file's results come from the cache, and
   the rules are built only when something must be checked;
3. the others are parsed and checked by file and batch rules (targets only) and summarised by
   corpus rules (all files), in `--jobs` worker processes when asked;
4. corpus rules compare the summaries of the whole corpus and keep findings on a target file or
   whose other end is one;
5. inline suppressions, then the baseline, remove accepted findings.

One file (~540 lines) because it is the run's sequence: files, cache, rules, workers,
suppressions and baseline hand each other the same run state; the pieces with a job of their
own (cache, manifest, keys, workers, suppress, baseline) already live beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipeline.config import Settings
from pipeline.config import today as config_today
from pipeline.corpus import Item, LoadProblem, decode, discover, kind_of, relative_path
from pipeline.corpus.loader import read_text
from pipeline.errors import ConfigError, UsageError
from pipeline.lint import baseline as baseline_file
from pipeline.lint import keys, suppress
from pipeline.lint.cache import FileResult, ResultCache
from pipeline.lint.findings import BY_PLACE, Finding, Severity
from pipeline.lint.manifest import ContentFiles, Manifest, RuleSetMemo
from pipeline.lint.rule import (
    BatchRule,
    CorpusRule,
    DatedRule,
    DescribedRule,
    FileRule,
    LintContext,
    ProblemRule,
    Rule,
    RuleInfo,
    RuleWarning,
    SkippedRule,
)
from pipeline.lint.selection import is_selected, matches

log = logging.getLogger(__name__)
RuleT = TypeVar("RuleT", bound=Rule)


@dataclass(frozen=True)
class LintOptions:
    """What one `kbsync lint` run was asked to do."""

    paths: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    changed_since: str | None = None
    use_cache: bool = True
    jobs: int = 1
    baseline: Path | None = None
    update_baseline: bool = False
    fix: bool = False
    today: dt.date | None = None


@dataclass(frozen=True)
class AppliedFix:
    path: str
    line: int
    rule: str
    before: str
    after: str


@dataclass
class LintReport:
    """The result of a run: findings to show, and what happened along the way."""

    findings: list[Finding]
    files: int
    load_rules: Callable[[], list[Rule]]
    skipped_rules: list[SkippedRule] = field(default_factory=list)
    rule_warnings: list[RuleWarning] = field(default_factory=list)
    """Risky rule definitions (patterns that can take exponential time), found at load."""
    suppressed: int = 0
    baselined: int = 0
    cached: int = 0
    fixes: list[AppliedFix] = field(default_factory=list)
    baseline_written: int | None = None
    describe_rules: Callable[[], Sequence[DescribedRule]] | None = None
    """The run's rules as the manifest describes them (None: describe the built rules)."""

    def count(self, severity: Severity) -> int:
        return [f.severity for f in self.findings].count(severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    @property
    def rules(self) -> list[Rule]:
        """Every rule of the run; built on first use, since a run answered wholly from the
        cache has not needed them."""
        return self.load_rules()

    @property
    def rule_descriptions(self) -> Sequence[DescribedRule]:
        """Every rule of the run, described (SARIF's rule table): from the manifest when the
        engine has it, so a run answered wholly from the cache builds no rule for it."""
        return self.rules if self.describe_rules is None else self.describe_rules()


@dataclass(frozen=True)
class _Job:
    """One file for a worker: where it is and whether file rules must run on it."""

    rel: str
    data: bytes
    full: bool


class RuleSet:
    """The run's rules, built on first use: a run answered from the cache never builds them."""

    def __init__(self, settings: Settings, options: LintOptions, today: dt.date) -> None:
        self.settings = settings
        self.options = options
        self.today = today

    @functools.cached_property
    def built(self) -> tuple[list[Rule], list[SkippedRule]]:
        """Every rule this configuration has (selected or not), and the skipped ones."""
        return _all_rules(_context(self.settings, self.today))

    @functools.cached_property
    def rules(self) -> list[Rule]:
        """The rules `--select`/`--ignore` leave in."""
        return _chosen(self.settings, self.options, self.built[0])

    def memo(self) -> RuleSetMemo:
        every, skipped = self.built
        return RuleSetMemo(
            keys.fingerprint(self.settings, self.rules),
            tuple((s.path, s.rule_id, s.reason) for s in skipped),
            tuple((rule.rule_id, rule.category) for rule in every),
            tuple(
                (w.path, w.line or 0, w.rule_id, w.message)
                for rule in self.rules
                for w in rule.load_warnings()
            ),
            tuple(
                (r.rule_id, r.category, r.default_severity.value, r.summary, r.documentation)
                for r in self.rules
            ),
        )


def run_lint(settings: Settings, options: LintOptions) -> LintReport:
    """Lint per `options`; raises ConfigError/UsageError for bad configuration or arguments.

    One function (~90 lines) because it is the run's sequence, in order; each step calls a
    helper that has a name of its own.
    """
    if options.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    today = options.today or config_today()
    rule_set = RuleSet(settings, options, today)
    root = settings.root
    corpus_paths = _discover_all(settings, options)
    targets, deleted = _targets(settings, options, corpus_paths)

    cache_root = settings.state_root / "cache"
    manifest = Manifest(cache_root, enabled=options.use_cache)
    inputs = keys.inputs_key(settings, options.select, options.ignore)
    memo = manifest.rule_set(inputs) or rule_set.memo()
    _check_selection(settings, options, memo)
    manifest.remember_rule_set(inputs, memo)
    cache = ResultCache(cache_root, memo.fingerprint, enabled=options.use_cache)
    results: dict[str, FileResult] = {}
    file_keys: dict[str, str] = {}
    files = ContentFiles(manifest)
    jobs: list[_Job] = []
    cached = 0
    for rel, absolute in corpus_paths.items():
        key = files.key(rel, absolute)
        if key is None:
            problem = read_text(absolute, root)[1]  # says what is wrong with the file
            problems = _problem_findings([problem] if problem else [], rule_set.rules)
            results[rel] = FileResult(rel, True, problems)
            continue
        file_keys[rel] = key
        need_full = rel in targets
        hit = cache.get(key, rel, need_full)
        if hit is not None:
            results[rel] = hit
            cached += int(need_full)
        else:
            jobs.append(_Job(rel, files.data(rel), need_full))

    for result in _process(jobs, settings, today, options):
        results[result.path] = result
        cache.put(file_keys[result.path], result)

    findings: list[Finding] = []
    dated = _dated_rules(settings, options, today)
    for rel in targets:
        if rel in results:
            findings.extend(results[rel].findings)
            findings.extend(_dated_findings(dated, results[rel]))
    findings.extend(_corpus_findings(rule_set, results, targets, deleted, cache, file_keys))
    cache.save()
    manifest.save()
    suppressions = {rel: r.suppressions for rel, r in results.items() if r.suppressions}
    findings, suppressed = suppress.apply(findings, suppressions)
    findings.sort(key=BY_PLACE)

    def line_text(finding: Finding) -> str:
        text = decode(finding.path, files.data(finding.path))[0] or ""
        lines = text.splitlines()
        return lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""

    report = LintReport(
        findings=findings,
        files=len(targets),
        load_rules=lambda: rule_set.rules,
        describe_rules=lambda: _described(memo),
        skipped_rules=[SkippedRule(p, r, w) for p, r, w in memo.skipped],
        rule_warnings=[RuleWarning(p, n or None, r, m) for p, n, r, m in memo.warnings],
        suppressed=suppressed,
        cached=cached,
    )
    baseline_path = options.baseline or (
        settings.root / settings.lint.baseline if settings.lint.baseline else None
    )
    if baseline_path is not None:
        if options.update_baseline:
            report.baseline_written = baseline_file.write(baseline_path, findings, line_text)
            report.baselined = len(findings)
            report.findings = []
        else:
            entries = baseline_file.load(baseline_path)
            report.findings, report.baselined = baseline_file.filter_findings(
                findings, entries, line_text
            )
    elif options.update_baseline:
        raise UsageError("--update-baseline needs --baseline FILE (or [lint] baseline)")

    if options.fix:
        applied = _apply_fixes(settings, report.findings)
        if applied:
            again = run_lint(settings, _without_fix(options))
            again.fixes = applied
            return again
    return report


def _described(memo: RuleSetMemo) -> list[RuleInfo]:
    return [
        RuleInfo(rule_id, category, Severity(severity), summary, documentation)
        for rule_id, category, severity, summary, documentation in memo.described
    ]


def _without_fix(options: LintOptions) -> LintOptions:
    return dataclasses.replace(options, fix=False, update_baseline=False)


def _context(settings: Settings, today: dt.date | None) -> LintContext:
    from pipeline.rollout import load_rollout  # only when rules are built (see RuleSet)

    return LintContext(
        settings=settings,
        today=today or config_today(),
        rollout=load_rollout(settings.content_root),
    )


def _all_rules(context: LintContext) -> tuple[list[Rule], list[SkippedRule]]:
    from pipeline.lint.registry import build_rules  # imports every family

    return build_rules(context)


def _selected_rules(
    context: LintContext, options: LintOptions
) -> tuple[list[Rule], list[SkippedRule]]:
    rules, skipped = _all_rules(context)
    return _chosen(context.settings, options, rules), skipped


def _check_selection(settings: Settings, options: LintOptions, memo: RuleSetMemo) -> None:
    """A pattern in `--select`/`--ignore` or `[lint] select`/`ignore` that names no rule is a
    mistake (a typo would otherwise switch every rule off, or none), as in ruff."""
    skipped = {rule_id for _, rule_id, _ in memo.skipped}

    def unknown(patterns: Iterable[str]) -> str | None:
        for pattern in (p.strip() for p in patterns):
            if not pattern or pattern.upper() == "ALL" or pattern in skipped:
                continue
            if not any(matches(rule_id, family, pattern) for rule_id, family in memo.known):
                return pattern
        return None

    hint = "`kbsync rules` lists every rule id; a family (schema, wording, pii, …) names its rules"
    for flag, given in (("--select", options.select), ("--ignore", options.ignore)):
        if (bad := unknown(given)) is not None:
            raise UsageError(f"{flag} {bad}: no rule or family has that name", hint=hint)
    where = settings.source or settings.root / "kbsync.toml"
    for key, configured in (("select", settings.lint.select), ("ignore", settings.lint.ignore)):
        if (bad := unknown(configured)) is not None:
            raise ConfigError(
                f"[lint] {key}: {bad!r} names no rule or family", path=where, hint=hint
            )


def _chosen(settings: Settings, options: LintOptions, rules: list[RuleT]) -> list[RuleT]:
    """The rules `--select`/`--ignore` (or `[lint] select`/`ignore`) leave in."""
    select = list(options.select) or list(settings.lint.select)
    ignore = list(options.ignore) + list(settings.lint.ignore)
    return [r for r in rules if is_selected(r.rule_id, r.category, select, ignore)]


def _dated_rules(settings: Settings, options: LintOptions, today: dt.date) -> list[DatedRule]:
    """The dated rules of this run, made without building the others (a warm run needs only
    these, since their answers change with the date and are never cached)."""
    from pipeline.lint.rules import freshness

    context = LintContext(settings=settings, today=today)
    return _chosen(settings, options, [rule(context) for rule in freshness.RULES])


def _dated_findings(rules: Sequence[DatedRule], result: FileResult) -> Iterator[Finding]:
    for rule in rules:
        extract = result.extracts.get(rule.rule_id)
        if extract is not None:
            yield from rule.check_dated(result.path, extract)


def _discover_all(settings: Settings, options: LintOptions) -> dict[str, Path]:
    """Every content file (content root plus any path asked for), by relative path."""
    found: dict[str, Path] = {}
    roots: list[Path] = []
    if settings.content_root.is_dir():
        roots.append(settings.content_root)
    for path in options.paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        roots.append(path)
    for path in discover(roots, settings.root):
        found.setdefault(relative_path(path, settings.root), path)
    return found


def _targets(
    settings: Settings, options: LintOptions, corpus: dict[str, Path]
) -> tuple[list[str], frozenset[str]]:
    """The files to report on, and the deleted files whose cross-file findings to report
    too (with `--changed-since`: a link to a file the change deleted is broken by it)."""
    if options.paths:
        wanted = {relative_path(p, settings.root) for p in discover(options.paths, settings.root)}
    else:
        wanted = set(corpus)
    deleted: frozenset[str] = frozenset()
    if options.changed_since:
        from pipeline import vcs  # GitPython, only for --changed-since

        changed = vcs.changed_since(settings.root, options.changed_since)
        wanted &= changed.present
        deleted = changed.deleted
    return sorted(wanted), deleted


def _problem_findings(problems: Iterable[LoadProblem], rules: Sequence[Rule]) -> list[Finding]:
    by_id = {r.rule_id: r for r in rules if isinstance(r, ProblemRule)}
    out = []
    for problem in problems:
        rule = by_id.get(problem.rule)
        if rule is None:
            continue
        out.append(
            Finding(
                rule=problem.rule,
                category=rule.category,
                severity=rule.default_severity,
                path=problem.path,
                line=problem.line,
                column=problem.column,
                end_line=problem.line,
                end_column=problem.column,
                message=problem.message,
            )
        )
    return out


# --- worker side -------------------------------------------------------------------------------

_WORKER_RULES: dict[str, list[Rule]] = {}


def _worker_rules(settings: Settings, today: dt.date, options: LintOptions) -> list[Rule]:
    key = f"{id(settings)}:{today}:{options.select}:{options.ignore}"
    if key not in _WORKER_RULES:
        _WORKER_RULES.clear()
        context = _context(settings, today)
        _WORKER_RULES[key] = _selected_rules(context, options)[0]
    return _WORKER_RULES[key]


def lint_chunk(
    settings: Settings, today: dt.date, options: LintOptions, jobs: Sequence[_Job]
) -> list[FileResult]:
    """Parse and check `jobs` (runs in a worker process or in-process)."""
    from pipeline.corpus.parse import parse_item  # markdown-it: only when files are parsed
    from pipeline.lint.time_limit import TimeLimit  # `regex`: only when files are checked

    rules = _worker_rules(settings, today, options)
    limit = TimeLimit(settings, rules)
    file_rules = [r for r in rules if isinstance(r, FileRule)]
    batch_rules = [r for r in rules if isinstance(r, BatchRule)]
    corpus_rules = [r for r in rules if isinstance(r, CorpusRule)]
    dated_rules = [r for r in rules if isinstance(r, DatedRule)]
    results: list[FileResult] = []
    full_items: list[Item] = []
    by_path: dict[str, FileResult] = {}
    for job in jobs:
        text, problem = decode(job.rel, job.data)
        problems = [problem] if problem else []
        item: Item | None = None
        if text is not None:
            item, parse_problems = parse_item(job.rel, text, kind_of(job.rel))
            problems.extend(parse_problems)
        result = FileResult(job.rel, job.full)
        if job.full:
            result.findings.extend(_problem_findings(problems, rules))
        if item is not None:
            result.suppressions = suppress.parse_suppressions(item)
            for corpus_rule in corpus_rules:
                extract, timed_out = limit.run(corpus_rule.extract, item, None)
                result.extracts[corpus_rule.rule_id] = extract
                if timed_out and job.full:
                    result.findings.extend(limit.finding(item.path, corpus_rule, extract))
            for dated_rule in dated_rules:
                result.extracts[dated_rule.rule_id] = dated_rule.extract(item)
            if job.full:
                for file_rule in file_rules:
                    result.findings.extend(limit.check(file_rule, item))
                full_items.append(item)
        results.append(result)
        by_path[job.rel] = result
    for batch_rule in batch_rules:
        wanted = [item for item in full_items if batch_rule.needs_check(item)]
        if wanted:
            for finding in limit.check_many(batch_rule, wanted):
                by_path[finding.path].findings.append(finding)
    return results


def _process(
    jobs: list[_Job], settings: Settings, today: dt.date, options: LintOptions
) -> list[FileResult]:
    if not jobs:
        return []
    workers = min(options.jobs, len(jobs))
    if workers <= 1:
        return lint_chunk(settings, today, options, jobs)
    chunks: list[list[_Job]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for job in sorted(jobs, key=lambda j: len(j.data), reverse=True):
        smallest = sizes.index(min(sizes))
        chunks[smallest].append(job)
        sizes[smallest] += len(job.data)
    from pipeline.lint.workers import run_in_workers

    calls = [(settings, today, options, chunk) for chunk in chunks]
    return [result for part in run_in_workers(lint_chunk, calls, workers) for result in part]


# --- corpus rules --------------------------------------------------------------------------------


def _corpus_findings(
    rule_set: RuleSet,
    results: dict[str, FileResult],
    targets: Sequence[str],
    deleted: frozenset[str],
    cache: ResultCache,
    file_keys: dict[str, str],
) -> list[Finding]:
    """Findings of corpus rules on a target, or whose other end is one (or a deleted file).

    The comparison depends only on every file's content, so its result is cached under a
    digest of all file keys: a run where nothing changed does not compare again.
    """
    digest = hashlib.sha256()
    for path in sorted(results):
        digest.update(path.encode() + b"\0")
        digest.update(file_keys[path].encode() if path in file_keys else b"problem")
    found_all = cache.get_corpus(digest.hexdigest())
    if found_all is None:
        found_all = []
        for rule in rule_set.rules:
            if not isinstance(rule, CorpusRule):
                continue
            extracts: dict[str, Any] = {
                path: result.extracts.get(rule.rule_id)
                for path, result in sorted(results.items())
                if rule.rule_id in result.extracts
            }
            found_all.extend(rule.check_corpus(extracts))
        cache.put_corpus(digest.hexdigest(), found_all)
    wanted = set(targets) | deleted
    select = list(rule_set.options.select) or list(rule_set.settings.lint.select)
    ignore = list(rule_set.options.ignore) + list(rule_set.settings.lint.ignore)
    return [
        found.finding
        for found in found_all
        if (found.finding.path in wanted or wanted.intersection(found.related))
        # a corpus rule may report another rule's finding (`lint.rule-timeout` for its
        # patterns): it is shown only when that rule is selected too
        and is_selected(found.finding.rule, found.finding.category, select, ignore)
    ]


# --- fixes ---------------------------------------------------------------------------------------


def _apply_fixes(settings: Settings, findings: Sequence[Finding]) -> list[AppliedFix]:
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None:
            by_path.setdefault(finding.path, []).append(finding)
    applied: list[AppliedFix] = []
    for rel, fixable in sorted(by_path.items()):
        path = settings.root / rel
        data = path.read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        last_start = len(text) + 1
        for finding in sorted(fixable, key=lambda f: f.fix.start if f.fix else 0, reverse=True):
            fix = finding.fix
            assert fix is not None
            if fix.end > last_start:  # overlaps a fix already applied: leave it for a re-run
                continue
            before = text[fix.start : fix.end]
            text = text[: fix.start] + fix.replacement + text[fix.end :]
            last_start = fix.start
            applied.append(AppliedFix(rel, finding.line, finding.rule, before, fix.replacement))
        out = text.encode("utf-8")
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out)
    applied.sort(key=lambda a: (a.path, a.line))
    return applied


def rule_catalogue(settings: Settings) -> tuple[list[Rule], list[SkippedRule]]:
    """Every rule this repository's configuration provides (for `kbsync rules`)."""
    from pipeline.lint.registry import build_rules

    return build_rules(_context(settings, None))
