"""`kbsync import`: an Uppzy site's documents become content files, a batch and sync-log entries.

It lives in `sync` because it writes the target's state (sync owns state) and must compute each
entry's hash exactly as a later plan does (:func:`pipeline.sync.payload.outbound_for` on the
file as written). Order of writes, so an interruption loses nothing and duplicates nothing: the
files first (never overwriting one), then the rollout batch, then the state. A file written but
not recorded is matched by the next plan on the site's listing (adopted, never created again).

What is recorded, and why the next plan shows no changes — honestly:

- An *active* document becomes an `approved` file in a new batch approved for the environment;
  its state entry holds the document id, status `active`, and a hash. When the payload kbsync
  derives from the written file equals what the site holds (same type, title, category and
  text), the hash is that payload's, so the plan has nothing to do. When it differs (HTML
  converted to Markdown renders to other text, a title with surrounding spaces, a document
  without a category, text without a final line break), the hash recorded is that of the
  site's text, so the next plan shows the item as an update — what a sync would really send —
  and the result lists it. Nothing is hidden.
- A *draft* document becomes a `draft` file and is not recorded: kbsync manages only approved
  content, and a state entry for an item outside the desired set would be planned as a delete.
  When the file is approved later, the plan adopts the document by its title.
- File documents cannot become Markdown: they are listed, not imported.

Re-running skips documents already in the state, and documents whose type and title (Q&A: its
question) an existing content file already has. A target path that exists is never
overwritten: the document is skipped and named.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.api import IncompleteListingError, UppzyClient
from pipeline.api.models import RemoteDocument
from pipeline.config import Settings
from pipeline.corpus import Item, QAEntry, load_corpus, load_file
from pipeline.corpus.loader import relative_path
from pipeline.errors import ConfigError, UsageError
from pipeline.ids import contained, is_safe_id
from pipeline.rollout import ROLLOUT_FILE, Batch, add_batch, batch_appended, load_rollout
from pipeline.sync.html_markdown import to_markdown
from pipeline.sync.payload import Payload, outbound_for
from pipeline.sync.remote import listing_refused, match_key, remote_summary
from pipeline.sync.state import Entry, TargetBusyError, TargetState
from pipeline.sync.store import StateStore
from pipeline.targets import Target

_SLUG_MAX = 60
_CATEGORY_MAX = 40
_DEFAULT_CATEGORY = "general"


@dataclass(frozen=True)
class Imported:
    """One document written as a file."""

    doc_id: str
    item_id: str
    path: str
    status: str  # the file's: approved or draft
    recorded: bool
    differs: bool
    """The file's payload is not the site's text: the next plan updates it."""


@dataclass(frozen=True)
class Skipped:
    doc_id: str
    title: str
    reason: str


@dataclass
class ImportResult:
    target: Target
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_importable: list[Skipped] = field(default_factory=list)
    batch: str | None = None
    state_recorded: bool = True
    notes: list[str] = field(default_factory=list)


def slugify(text: str, limit: int = _SLUG_MAX) -> str:
    """Lower-case ASCII letters, digits and single dashes (accents folded); may be empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:limit].rstrip("-")


def import_site(
    settings: Settings,
    target: Target,
    client: UppzyClient,
    store: StateStore,
    *,
    into: Path | None = None,
    today: dt.date,
) -> ImportResult:
    """Write the site's documents under `into` (default: the content folder) and record them."""
    env = settings.environment(target.environment)
    site = env.sites.get(target.site)
    if site is None or "public" not in site.audiences:
        raise ConfigError(
            f"site {target.site!r} of environment {target.environment!r} does not take public "
            "content: imported documents are public, and recorded ones would be planned as "
            "deletes",
            hint=f'add "public" to [environments.{target.environment}.sites.{target.site}] '
            "audiences",
        )
    content_root = (into if into is not None else settings.content_root).absolute()
    if not contained(settings.root, content_root):
        raise UsageError(f"--into {into} is outside the repository {settings.root}")
    content_dir = relative_path(content_root, settings.root)
    record = content_root.resolve() == settings.content_root.resolve()
    rollout = load_rollout(content_root)

    state = store.load(target)
    if state.claim is not None and not state.claim.is_stale():
        raise TargetBusyError(
            f"{target.key} is being synced by run {state.claim.run}; import wrote nothing",
            hint="wait for it to finish, then re-run",
        )
    try:
        documents = client.list_documents(target.site)
    except IncompleteListingError as exc:
        raise listing_refused(target, exc) from exc

    result = ImportResult(target, state_recorded=record)
    known_docs = {entry.doc_id: item_id for item_id, entry in state.entries.items()}
    existing = _existing_content(content_root, settings.root)
    taken_ids = {item.id for item in existing.values() if item.id} | set(state.entries)
    taken_paths: set[Path] = set()
    planned: list[tuple[RemoteDocument, str, Path]] = []
    for doc in sorted(documents, key=lambda d: (d.type, d.category or "", d.title, d.id)):
        if doc.type not in ("text", "qa"):
            why = f"a {doc.type} document: its text cannot become Markdown"
            result.not_importable.append(Skipped(doc.id, doc.title, why))
            continue
        if (doc.content if doc.type == "text" else doc.answer) is None:
            why = "the listing does not show its text"
            result.not_importable.append(Skipped(doc.id, doc.title, why))
            continue
        if doc.id in known_docs:
            result.skipped.append(
                Skipped(doc.id, doc.title, f"already in the state as {known_docs[doc.id]}")
            )
            continue
        same = existing.get(match_key(doc.type, doc.title, doc.question))
        if same is not None:
            result.skipped.append(Skipped(doc.id, doc.title, f"already in {same.path}"))
            continue
        item_id, path = _place(doc, content_root, taken_ids, taken_paths)
        if path.exists():
            rel = relative_path(path, settings.root)
            result.skipped.append(Skipped(doc.id, doc.title, f"{rel} exists (not overwritten)"))
            continue
        planned.append((doc, item_id, path))

    if not planned:
        return result
    batch = _new_batch(rollout.by_id, target, content_root, [p for _, _, p in planned])
    result.batch = batch.id
    comment = f"imported from Uppzy ({target.key}) on {today.isoformat()} by kbsync import"
    rollout_file = content_root / ROLLOUT_FILE
    old_rollout = rollout_file.read_text(encoding="utf-8") if rollout_file.is_file() else ""
    batch_appended(old_rollout, batch, rollout_file, comment)  # refuses before any file is written
    for doc, item_id, path in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # never overwrite, even in a race
            handle.write(_file_text(doc, item_id, batch.id, today))
    add_batch(content_root, batch, comment)

    for doc, item_id, path in planned:
        result.imported.append(_record(state, doc, item_id, path, settings, content_dir, record))
    if record and any(i.recorded for i in result.imported):
        state.config_fingerprint = ""  # rollout.yaml changed: the next plan reads everything
        store.save(state, f"kbsync import {target.key}: {len(result.imported)} documents")
    return result


def _existing_content(content_root: Path, root: Path) -> dict[tuple[str, str], Item]:
    """Content files already there, by what an import would match them on."""
    if not content_root.is_dir():
        return {}
    found: dict[tuple[str, str], Item] = {}
    for item in load_corpus([content_root], root).items:
        if isinstance(item, QAEntry):
            key = match_key("qa", item.title or item.question, item.question)
        else:
            key = match_key("text", item.display_title, None)
        found.setdefault(key, item)
    return found


def _place(
    doc: RemoteDocument, content_root: Path, taken_ids: set[str], taken_paths: set[Path]
) -> tuple[str, Path]:
    """A unique, safe id and a path for `doc`: `docs|qa/<category>/<slug>.md`."""
    kind = "qa" if doc.type == "qa" else "docs"
    category = slugify(doc.category or "", _CATEGORY_MAX) or _DEFAULT_CATEGORY
    if category == "qa":  # a folder named `qa` makes every file under it a Q&A entry
        category = "q-a"
    base = slugify(doc.title) or slugify(doc.question or "") or _fallback_slug(doc)
    folder = content_root / kind / category
    for n in range(1, 10_000):
        slug = base if n == 1 else f"{base}-{n}"
        item_id = f"{kind}.{category}.{slug}"
        path = folder / f"{slug}.md"
        safe = is_safe_id(item_id) and contained(content_root, path)
        if item_id not in taken_ids and path not in taken_paths and safe:
            taken_ids.add(item_id)
            taken_paths.add(path)
            return item_id, path
    raise UsageError(f"no free id for {doc.id}")  # pragma: no cover - 10,000 namesakes


def _fallback_slug(doc: RemoteDocument) -> str:
    """For a title with no ASCII letter or digit (`Доставка`, `???`): the document's id."""
    return f"{'entry' if doc.type == 'qa' else 'document'}-{slugify(doc.id)}".rstrip("-")


def _new_batch(
    batches: dict[str, Batch], target: Target, content_root: Path, paths: list[Path]
) -> Batch:
    """A batch of its own for this import (`import-<env>-<site>`, numbered when taken), so the
    files are approved for exactly this environment, whatever other batches' globs say."""
    base = re.sub(r"[^a-z0-9_-]+", "-", f"import-{target.environment}-{target.site}".lower())[:56]
    batch_id = base
    n = 2
    while batch_id in batches:
        batch_id = f"{base}-{n}"
        n += 1
    include = tuple(sorted(path.relative_to(content_root).as_posix() for path in paths))
    description = f"Imported from Uppzy site {target.site} ({target.environment})"
    return Batch(batch_id, include, (target.environment,), description=description)


def _file_text(doc: RemoteDocument, item_id: str, batch: str, today: dt.date) -> str:
    meta: dict[str, object] = {"id": item_id}
    if doc.type == "qa":
        question = doc.question or doc.title
        meta["question"] = question
        if doc.title.strip() != question.strip():
            meta["title"] = doc.title
        body = doc.answer or ""
    else:
        meta["title"] = doc.title
        body = doc.content or ""
    meta["status"] = "approved" if doc.is_active else "draft"
    meta["audience"] = "public"
    if doc.category:
        meta["category"] = doc.category
    meta["batch"] = batch
    meta["reviewed"] = today
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1_000_000)
    markdown = to_markdown(body)
    if markdown and not markdown.endswith("\n"):
        markdown += "\n"
    return f"---\n{head}---\n{markdown}"


def _record(
    state: TargetState,
    doc: RemoteDocument,
    item_id: str,
    path: Path,
    settings: Settings,
    content_dir: str,
    record: bool,
) -> Imported:
    """The state entry of one written file: the hash a later plan computes from it, or — when
    that payload is not what the site holds — the site's, so the plan shows the update."""
    rel = relative_path(path, settings.root)
    status = "approved" if doc.is_active else "draft"
    item, _problems = load_file(path, settings.root)
    if item is None:  # pragma: no cover - kbsync just wrote it
        raise UsageError(f"{rel}: cannot read the file just written")
    payload, _ = outbound_for(item, content_dir)
    site_hash = remote_summary(doc).content_hash
    differs = site_hash != payload.content_hash
    if not record or not doc.is_active:
        return Imported(doc.id, item_id, rel, status, False, differs)
    state.entries[item_id] = Entry(
        doc_id=doc.id,
        hash=site_hash if site_hash is not None else _unknown_hash(payload),
        status="active",
        type=payload.type,
        title=payload.title,
        path=rel,
        batch=item.batch,
    )
    return Imported(doc.id, item_id, rel, status, True, differs)


def _unknown_hash(payload: Payload) -> str:
    """A hash no payload has: the site's text is unknown, so the next plan sends the file's."""
    return "unknown-" + payload.content_hash


__all__ = ["ROLLOUT_FILE", "ImportResult", "Imported", "Skipped", "import_site", "slugify"]
