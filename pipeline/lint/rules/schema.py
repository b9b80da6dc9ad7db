"""`schema.*`: the frontmatter every document and Q&A entry must carry (DESIGN.md, content model)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.corpus import AUDIENCES, STATUSES, Item
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import CorpusFinding, CorpusRule, FileRule, ProblemRule

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
REQUIRED = {
    "doc": ("id", "title", "status", "reviewed"),
    "qa": ("id", "question", "status", "reviewed"),
}
URL_FIELDS = ("url", "slug", "permalink", "aliases")
"""Where the site serves a page (:mod:`pipeline.corpus.links`): links and public URLs use them."""
KNOWN_FIELDS = {
    "doc": {
        "id", "title", "status", "audience", "batch", "reviewed", "expires", "category",
        "owner", "tags", "sites", *URL_FIELDS,
    },
    "qa": {
        "id", "question", "alternates", "title", "status", "audience", "batch", "reviewed",
        "expires", "category", "owner", "tags", "sites", *URL_FIELDS,
    },
}  # fmt: skip
LIST_FIELDS = ("tags", "sites", "alternates", "aliases")
TEXT_FIELDS = (
    "id", "title", "question", "status", "audience", "batch", "category", "owner",
    "url", "slug", "permalink",
)  # fmt: skip
DATE_FIELDS = ("reviewed", "expires")


class Unreadable(ProblemRule):
    """A content file kbsync cannot read.

    The file is not a regular file, is a symbolic link to a file outside the repository, is over
    the 2 MiB limit, or is binary. Fix the file (or move it out of the content folder).
    """

    id = "schema.unreadable"


class Encoding(ProblemRule):
    """A content file that is not valid UTF-8.

    The finding points at the first byte that does not decode. Re-save the file as UTF-8.
    """

    id = "schema.encoding"


class MissingFrontmatter(ProblemRule):
    """A content file without YAML frontmatter.

    Every file starts with a line `---`, its fields (`id`, `status`, `reviewed`, and `title` for
    a document or `question` for a Q&A entry), and a closing `---`.
    """

    id = "schema.frontmatter"


class InvalidYaml(ProblemRule):
    """Frontmatter that is not valid YAML, or not a mapping of fields.

    The finding points at the line and column where the YAML parser gave up. Quote values that
    contain `: ` or start with a special character.
    """

    id = "schema.yaml"


class RequiredField(FileRule):
    """A required frontmatter field is missing or empty.

    Documents need `id`, `title`, `status` and `reviewed`; Q&A entries need `id`, `question`,
    `status` and `reviewed`.
    """

    id = "schema.required-field"

    def check(self, item: Item) -> Iterator[Finding]:
        for key in REQUIRED[item.kind]:
            value = item.meta.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                kind = "document" if item.kind == "doc" else "Q&A entry"
                yield self.at_key(item, key, f"a {kind} needs '{key}' in its frontmatter")


class FieldType(FileRule):
    """A frontmatter field has the wrong type.

    `tags`, `sites` and `alternates` are lists of strings; `title`, `question`, `status`,
    `audience`, `batch`, `category` and `owner` are strings.
    """

    id = "schema.field-type"

    def check(self, item: Item) -> Iterator[Finding]:
        for key in LIST_FIELDS:
            value = item.meta.get(key)
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                yield self.at_key(item, key, f"'{key}' must be a list of strings")
        for key in TEXT_FIELDS:
            value = item.meta.get(key)
            if value is not None and not isinstance(value, str):
                yield self.at_key(item, key, f"'{key}' must be a string, not {_type_name(value)}")


class EnumValue(FileRule):
    """`status` or `audience` has a value kbsync does not know.

    `status` is `draft` or `approved` (only `approved` content is ever synced); `audience` is
    `public` or `internal` (internal content never reaches a public site).
    """

    id = "schema.enum"

    def check(self, item: Item) -> Iterator[Finding]:
        for key, allowed in (("status", STATUSES), ("audience", AUDIENCES)):
            value = item.meta.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in allowed:
                choices = " or ".join(f"'{a}'" for a in allowed)
                yield self.at_key(item, key, f"'{key}' is {value.strip()!r}; use {choices}")


class IdFormat(FileRule):
    """An `id` that is not a stable external id.

    Ids match `^[a-z0-9][a-z0-9._-]{0,127}$`: lower-case letters, digits, `.`, `_` and `-`.
    The id identifies the item in Uppzy for good; renaming the file keeps it.
    """

    id = "schema.id-format"

    def check(self, item: Item) -> Iterator[Finding]:
        value = item.meta.get("id")
        if isinstance(value, str) and value.strip() and not ID_PATTERN.match(value.strip()):
            yield self.at_key(
                item,
                "id",
                f"id {value.strip()!r} must match {ID_PATTERN.pattern} "
                "(lower case, digits, '.', '_', '-')",
            )


class DateFormat(FileRule):
    """`reviewed` or `expires` is not an ISO date (`YYYY-MM-DD`)."""

    id = "schema.date"

    def check(self, item: Item) -> Iterator[Finding]:
        for key in DATE_FIELDS:
            value = item.meta.get(key)
            if value is None or isinstance(value, dt.date):
                continue
            if isinstance(value, str):
                try:
                    dt.date.fromisoformat(value.strip())
                    continue
                except ValueError:
                    pass
            yield self.at_key(item, key, f"'{key}' must be an ISO date (YYYY-MM-DD), not {value!r}")


class UnknownField(FileRule):
    """A frontmatter field kbsync does not know (often a typo such as `reviwed`).

    Unknown fields are ignored by kbsync, so a misspelt field silently does nothing.
    """

    id = "schema.unknown-field"
    severity = Severity.WARNING

    def check(self, item: Item) -> Iterator[Finding]:
        known = KNOWN_FIELDS[item.kind]
        for key in item.meta:
            if key not in known:
                hint = _closest(key, known)
                extra = f"; did you mean '{hint}'?" if hint else ""
                yield self.at_key(item, key, f"unknown field '{key}'{extra}")


class UnknownBatch(FileRule):
    """An item names a `batch` that `content/rollout.yaml` does not define.

    Such an item is never synced. Use one of the batch ids in rollout.yaml, or remove `batch` to
    let the batches' `include` globs decide.
    """

    id = "schema.unknown-batch"

    def check(self, item: Item) -> Iterator[Finding]:
        rollout = self.context.rollout
        if item.batch and rollout.source is not None and item.batch not in rollout.by_id:
            known = ", ".join(b.id for b in rollout.batches) or "none"
            yield self.at_key(
                item, "batch", f"batch {item.batch!r} is not in rollout.yaml (batches: {known})"
            )


class NoBatch(FileRule):
    """An approved item that no rollout batch includes, so it can never be synced.

    Add its path to a batch's `include` globs in `content/rollout.yaml`, or give it a `batch`.
    """

    id = "schema.no-batch"
    severity = Severity.WARNING

    def check(self, item: Item) -> Iterator[Finding]:
        rollout = self.context.rollout
        if rollout.source is None or item.status != "approved" or item.batch:
            return
        content = self.context.settings.content_dir.rstrip("/") + "/"
        path = item.path[len(content) :] if item.path.startswith(content) else item.path
        if rollout.batch_for(path) is None:
            yield self.at_key(item, "status", "approved, but no rollout batch includes this file")


class DuplicateId(CorpusRule):
    """Two files share one `id`. Both files are reported.

    The id is how kbsync recognises an item in Uppzy; two files with one id would overwrite each
    other on every sync. Give one of them a new id.
    """

    id = "schema.duplicate-id"

    def extract(self, item: Item) -> Any:
        if not item.id:
            return None
        return {
            "id": item.id,
            "line": item.key_line("id"),
            "text": item.source.line_text(item.key_line("id")),
        }

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        by_id: dict[str, list[tuple[str, Any]]] = {}
        for path, data in extracts.items():
            if data:
                by_id.setdefault(data["id"], []).append((path, data))
        for item_id, places in by_id.items():
            if len(places) < 2:
                continue
            places.sort()
            for path, data in places:
                others = [p for p, _ in places if p != path]
                yield CorpusFinding(
                    self._finding(
                        path, data, f"id {item_id!r} is also used by {', '.join(others)}"
                    ),
                    related=tuple(others),
                )

    def _finding(self, path: str, data: Any, message: str) -> Finding:
        return Finding(
            rule=self.rule_id,
            category=self.category,
            severity=self.default_severity,
            path=path,
            line=data["line"],
            column=1,
            end_line=data["line"],
            end_column=len(data["text"]) + 1,
            message=message,
        )


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _closest(key: str, known: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return match[0] if match else None
