"""The two sides of `kbsync impact`: a target's content as a sync would send it, at a base
commit and in the working tree.

The working tree (the after side) is read whole, as a full-scan plan reads it. The base side
is not read again from git: it is the after side with every content file the pull request
changed, deleted or added replaced by its blob at the base (`git diff` from the merge base,
untracked files included; a rename is a deletion and an addition). When `rollout.yaml`
changed, the base's rollout decides membership on that side. Payloads are rendered as a sync
renders them (:func:`pipeline.sync.payload.outbound_for`), relative links turned into each
side's public URLs (:class:`pipeline.sync.links.SiteLinks`). A file that does not read or
parse at one side is no item there, and its error line is kept for the report. Batches rolled
back with `kbsync rollback` are not consulted (impact answers from what the content approves,
not from one site's holds).

The payload gate (the check `plan` and `sync` run on the exact text an item sends) runs on
every item of a changed file, at both sides: an item it blocks is no item at that side, as it
would be on no site, and the report names it with its rule ids. Items of unchanged files are
not checked: they are the same text at both sides, so the gate would hold them at both or at
neither, and a sync never sends one it holds (`kbsync plan` names them); impact compares them
as they are written, and the report masks whatever of them it quotes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import vcs
from pipeline.config import EnvironmentConfig, Settings, SiteConfig
from pipeline.corpus import Item, decode, kind_of, load_file, relative_path
from pipeline.corpus.links import LinkIndex, PageInfo
from pipeline.corpus.loader import CONTENT_SUFFIXES, discover
from pipeline.corpus.model import LoadProblem
from pipeline.corpus.parse import parse_item
from pipeline.errors import ConfigError, KbsyncError
from pipeline.ops.eval_cases import EVALS_DIR
from pipeline.rollout import ROLLOUT_FILE, Rollout, rollout_from_data
from pipeline.sync.desired import BlockedItem, OutboundCheck, Skipped, desired_item
from pipeline.sync.links import SiteLinks
from pipeline.sync.payload import Payload
from pipeline.sync.state import TargetState
from pipeline.targets import Target
from pipeline.yamlfile import YamlSyntaxError, parse_yaml


@dataclass(frozen=True)
class SideItem:
    """One item a side's target holds, in the fields the assistant reads."""

    id: str
    path: str
    payload: Payload

    @property
    def type(self) -> str:
        return self.payload.type

    @property
    def body(self) -> str:
        return self.payload.answer if self.payload.type == "qa" else self.payload.content


@dataclass
class Side:
    """A target's content at one side: items by id, and the files that are no item there."""

    label: str
    items: dict[str, SideItem] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    """Content path → why it is no item at this side (the parse error, with its line)."""
    blocked: dict[str, BlockedItem] = field(default_factory=dict)
    """Items the payload gate holds back at this side, by id (their findings masked)."""
    left_out: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Items with an id that this target does not take at this side: id → (path, why)."""


@dataclass(frozen=True)
class Files:
    """Every content file at both sides, read once per target set: parsed items, problems,
    and the base's decoded text of each changed file (for the coverage's changed section)."""

    after: Mapping[str, Item | LoadProblem]
    before: Mapping[str, Item | LoadProblem]
    changed: frozenset[str]
    """Content paths that differ (changed, added, deleted or renamed)."""
    deleted: frozenset[str]
    texts_before: Mapping[str, str]
    rollout_before: Rollout
    rollout_problem: str | None
    base: str
    others: frozenset[str]
    """Changed paths that are not content files (eval files among them)."""
    evals_changed: tuple[str, ...] = ()
    """Eval files (`content/evals/*.yaml`) the change touched, sorted."""
    evals_before: Mapping[str, bytes] = field(default_factory=dict)
    """The base's bytes of each of `evals_changed` it holds (read in the same git call)."""


def read_files(settings: Settings, rollout: Rollout, ref: str) -> Files:
    """Both sides' content files: the working tree's, and the base's as the diff says."""
    diff = vcs.changed_since(settings.root, ref)
    prefix = settings.content_dir.rstrip("/") + "/"

    def content(path: str) -> bool:
        return path.startswith(prefix) and path.lower().endswith(CONTENT_SUFFIXES)

    changed = frozenset(p for p in diff.present | diff.deleted if content(p))
    rollout_path = prefix + ROLLOUT_FILE
    evals_prefix = f"{prefix}{EVALS_DIR}/"
    evals_changed = tuple(
        sorted(
            p
            for p in diff.present | diff.deleted
            if p.startswith(evals_prefix) and p.endswith((".yaml", ".yml"))
        )
    )
    after: dict[str, Item | LoadProblem] = {}
    roots = [settings.content_root] if settings.content_root.is_dir() else []
    for file in discover(roots, settings.root):
        rel = relative_path(file, settings.root)
        item, problems = load_file(file, settings.root)
        after[rel] = item if item is not None else _problem(rel, problems)
    wanted = sorted(
        changed | ({rollout_path} if rollout_path in diff.present else set()) | set(evals_changed)
    )
    blobs = vcs.files_at(settings.root, diff.base, wanted) or {}
    before: dict[str, Item | LoadProblem] = {p: v for p, v in after.items() if p not in changed}
    texts_before: dict[str, str] = {}
    for path in sorted(changed):
        data = blobs.get(path)
        if data is None:
            continue
        text, problem = decode(path, data)
        if text is None or problem is not None:
            before[path] = problem or LoadProblem(path, "schema.unreadable", "unreadable")
            continue
        texts_before[path] = text
        item, problems = parse_item(path, text, kind_of(path))
        before[path] = item if item is not None else _problem(path, problems)
    rollout_before, rollout_problem = rollout, None
    if rollout_path in diff.present:
        rollout_before, rollout_problem = _rollout_at(
            blobs.get(rollout_path), settings.root / rollout_path
        )
    return Files(
        after=after,
        before=before,
        changed=changed,
        deleted=frozenset(p for p in diff.deleted if content(p)),
        texts_before=texts_before,
        rollout_before=rollout_before,
        rollout_problem=rollout_problem,
        base=diff.base,
        others=frozenset(diff.present | diff.deleted) - changed,
        evals_changed=evals_changed,
        evals_before={p: data for p in evals_changed if (data := blobs.get(p)) is not None},
    )


def build_side(
    label: str,
    files: Mapping[str, Item | LoadProblem],
    settings: Settings,
    env: EnvironmentConfig,
    target: Target,
    rollout: Rollout,
    links: SiteLinks,
    reuse: Side | None = None,
    unchanged: frozenset[str] = frozenset(),
    check: OutboundCheck | None = None,
    gated: frozenset[str] = frozenset(),
    refuse_unsafe: bool = True,
) -> Side:
    """The target's items among `files`, each read with sync's own per-item step
    (:func:`pipeline.sync.desired.desired_item`), in the order a sync reads them. With
    `reuse`, an item of a file in `unchanged` takes its payload from `reuse` (same text, same
    links: the same payload). With `check`, the items of the files in `gated` pass the payload
    gate or are held back (`blocked`). An unsafe id or batch stops impact as it stops a sync
    (`refuse_unsafe`, the working tree), or makes its file a problem of this side (the base,
    which the change may be fixing)."""
    side = Side(label)
    reused = {i.path: i for i in reuse.items.values()} if reuse is not None else {}
    nothing_held = TargetState(target)
    for path in sorted(files, key=_read_order):
        found = files[path]
        if isinstance(found, LoadProblem):
            side.problems[path] = _problem_line(found)
            continue
        item = found
        earlier = reused.get(path) if path in unchanged else None
        if earlier is not None and earlier.id != item.id:
            earlier = None
        try:
            read = desired_item(
                item, target, env, rollout, settings.content_dir, nothing_held,
                first=lambda key: side.items[key].path if key in side.items else None,
                rewrite=links.rewrite,
                check=check if path in gated else None,
                payload=earlier.payload if earlier is not None else None,
            )  # fmt: skip
        except ConfigError as exc:
            if refuse_unsafe:
                raise
            why = exc.message.removeprefix(f"{path}:{exc.line}: " if exc.line else f"{path}: ")
            side.problems[path] = f"line {exc.line}: {why}" if exc.line else why
            continue
        if isinstance(read, Skipped):
            if read.duplicate:
                side.problems[path] = read.why
            else:
                side.left_out.setdefault(item.id, (path, read.why))
        elif isinstance(read, BlockedItem):
            side.blocked[read.id] = read
        elif read is not None:
            assert read.payload is not None
            side.blocked.pop(read.id, None)
            side.items[read.id] = earlier or SideItem(read.id, path, read.payload)
    return side


def _read_order(path: str) -> tuple[str, ...]:
    """The order a sync reads content files in (:func:`pipeline.corpus.loader.discover`:
    by path parts), so both agree which of two items sharing an id is the first."""
    return tuple(path.split("/"))


def links_after(files: Files, settings: Settings) -> Callable[[], LinkIndex]:
    """The working tree's link index, built on first need from the frontmatter of the items
    `files` already holds (no file read again) and then shared by every target."""

    @functools.cache
    def build() -> LinkIndex:
        pages = [
            PageInfo.from_meta(path, found.meta)
            for path, found in files.after.items()
            if isinstance(found, Item)
        ]
        root = settings.root
        return LinkIndex(
            pages, settings.content_dir, settings.lint.links, exists=lambda p: (root / p).exists()
        )

    return build


def links_before(
    after: SiteLinks, files: Files, site: SiteConfig, settings: Settings
) -> tuple[SiteLinks, bool]:
    """The base side's links, and whether they equal the working tree's (so unchanged files
    render the same payload at both sides)."""
    if not after.published:
        return after, True
    pages: dict[str, PageInfo] = {
        p: info for p, info in after.index.pages.items() if p not in files.changed
    }
    for path in files.changed:
        found = files.before.get(path)
        if isinstance(found, Item):
            pages[path] = PageInfo.from_meta(path, found.meta)
    root = settings.root
    index = LinkIndex(
        [pages[p] for p in sorted(pages)],
        settings.content_dir,
        settings.lint.links,
        exists=lambda p: (root / p).exists() or p in files.deleted,
    )
    before = SiteLinks(index, site)
    return before, before.fingerprint() == after.fingerprint()


def _rollout_at(data: bytes | None, where: Path) -> tuple[Rollout, str | None]:
    """The base's rollout; one missing or broken there approves nothing at the base (said)."""
    try:
        if data is None:
            raise ValueError("the base commit has no such file")
        parsed = parse_yaml(data.decode("utf-8-sig"))
        return rollout_from_data(parsed.data, where, parsed.node), None
    except (ValueError, YamlSyntaxError, KbsyncError) as exc:
        return Rollout(), f"{where}: cannot be read at the base ({exc}); nothing approved there"


def _problem(path: str, problems: list[LoadProblem]) -> LoadProblem:
    return problems[0] if problems else LoadProblem(path, "schema.unreadable", "unreadable")


def _problem_line(problem: LoadProblem) -> str:
    where = f"line {problem.line}: " if problem.line else ""
    return f"{where}{problem.message}"
