"""`links.*`: relative links between files of the repository — broken, to a missing heading, or
from public to internal content.

Links are Markdown inline links and images (`[text](url)`, `![alt](src)`) and reference
definitions (`[ref]: url`), outside code and HTML comments. A URL with a scheme (`https:`,
`mailto:`, `tel:` …) or starting with `/` (a path on the site the content is published to, such
as Hugo's `/pricing/`) is not checked. A path resolves against the linking file's folder, with
`%20`-style escapes decoded and the query dropped; file names are compared with their exact case, as a case-sensitive
host (GitHub, Linux CI) would. Heading anchors are GitHub's (`## Printing the label` →
`#printing-the-label`, repeated headings get `-1`, `-2`), plus `{#custom-id}` on a heading and
`id`/`name` attributes of HTML tags; they are compared ignoring case. Anchors are checked in
content files only (not in other Markdown files, not in files that failed to parse).

These are corpus rules: each file's links and anchors are extracted once (cached by content)
and every link is checked against the extracts of the whole corpus and the file tree.

**Incremental runs.** With `--changed-since REF` every file is still read (from the cache where
unchanged), and a finding is kept when the linking file changed or the link's target did — so a
pull request that renames a heading sees the links it broke in files it did not touch. Links
whose target was *deleted* by the change are reported when the linking file changes, or by a
full run (git lists no deleted files as changed).
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline.corpus import Item
from pipeline.lint.findings import Finding
from pipeline.lint.rule import CorpusFinding, CorpusRule, LintContext

MARKDOWN_SUFFIXES = (".md", ".markdown")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMAGE = re.compile(
    r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_REF_DEF = re.compile(
    r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s<>]+)>?(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*$",
    re.M,
)
_CUSTOM_ID = re.compile(r"\{#([^}\s]+)[^}]*\}")
_HTML_ID = re.compile(r"<[A-Za-z][^<>]*?\s(?:id|name)\s*=\s*[\"']([^\"']+)[\"']")


class _LinkRule(CorpusRule):
    """What the links rules share: the links of a file and how a URL resolves."""

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        self.tree = _Tree(context.settings.root)

    def finding(self, path: str, link: list[Any], message: str) -> Finding:
        _url, line, column, end_line, end_column = link[:5]
        return Finding(
            rule=self.rule_id,
            category=self.category,
            severity=self.default_severity,
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
        )


_LAST: list[tuple[Item, list[list[Any]]]] = []
"""The last item's links: the three rules extract from one item in turn."""


def _links(item: Item) -> list[list[Any]]:
    """`[url, line, column, end line, end column]` of every checkable link in `item`."""
    if _LAST and _LAST[0][0] is item:
        return _LAST[0][1]
    links = _find_links(item)
    _LAST[:] = [(item, links)]
    return links


def _find_links(item: Item) -> list[list[Any]]:
    spans: list[tuple[str, int, int]] = [
        (link.url, link.span.start, link.span.end) for link in item.links
    ]
    for pattern in (_IMAGE, _REF_DEF):
        for match in pattern.finditer(item.text, item.body_start):
            spans.append((match.group(1), match.start(1), match.end(1)))
    found: dict[int, list[Any]] = {}
    for url, start, end in spans:
        if not url or item.is_code(start) or _in_comment(item, start) or _is_external(url):
            continue
        first, last = item.position(start), item.position(end)
        found.setdefault(start, [url, first.line, first.column, last.line, last.column])
    return [found[start] for start in sorted(found)]


def _in_comment(item: Item, offset: int) -> bool:
    return any(span.start <= offset < span.end for span in item.comment_spans)


def _is_external(url: str) -> bool:
    """A URL with a scheme, or a path from a site's root (`/pricing/`): its meaning depends on
    where the content is published, not on the repository."""
    return bool(_SCHEME.match(url)) or url.startswith("/")


def _anchors(item: Item) -> list[str]:
    """Every anchor a link into `item` may name (GitHub slugs, `{#id}`, HTML ids)."""
    anchors = {heading.slug for heading in item.headings}
    for heading in item.headings:
        for match in _CUSTOM_ID.finditer(item.source.line_text(heading.line)):
            anchors.add(match.group(1))
    for match in _HTML_ID.finditer(item.text, item.body_start):
        if not item.is_code(match.start()):
            anchors.add(match.group(1))
    return sorted(anchors)


def split_url(url: str) -> tuple[str, str]:
    """The decoded path and fragment of a relative URL."""
    path, _, fragment = url.partition("#")
    path = path.split("?", 1)[0]
    return unquote(path), unquote(fragment)


def resolve(from_path: str, link_path: str) -> str | None:
    """The repository path `link_path` names from file `from_path`, or None if it is outside
    the repository (climbs out of it, or is absolute)."""
    joined = posixpath.join(posixpath.dirname(from_path), link_path)
    if not joined:
        return None
    target = posixpath.normpath(joined)
    if target == ".." or target.startswith("../") or posixpath.isabs(target):
        return None
    return target


class _Tree:
    """Exact-case existence checks on the repository's files, one directory listing each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listings: dict[str, dict[str, bool] | None] = {}

    def listing(self, folder: str) -> dict[str, bool] | None:
        """Names in `folder` (repository-relative, "" for the root) → is a folder."""
        if folder not in self._listings:
            try:
                with os.scandir(self.root / folder if folder else self.root) as entries:
                    self._listings[folder] = {e.name: e.is_dir() for e in entries}
            except OSError:
                self._listings[folder] = None
        return self._listings[folder]

    def kind(self, path: str) -> str | None:
        """`file`, `folder` or None when `path` does not exist (with this exact case)."""
        if path in ("", "."):
            return "folder"
        folder, name = posixpath.split(path)
        if folder and self.kind(folder) != "folder":
            return None
        names = self.listing(folder)
        if names is None or name not in names:
            return None
        return "folder" if names[name] else "file"

    def closest(self, path: str) -> str | None:
        """The name in `path`'s folder closest to its own (for "did you mean")."""
        folder, name = posixpath.split(path)
        names = self.listing(folder) if self.kind(folder) == "folder" else None
        if not names:
            return None
        match = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.6)
        return match[0] if match else None


# --- links.broken --------------------------------------------------------------------------------


class BrokenLink(_LinkRule):
    """A relative link to a file that does not exist.

    The path resolves against the linking file's folder; a link that climbs out of the
    repository is broken too. Links with a scheme (`https:`, `mailto:`) and site paths that start
    with `/` are not checked. Fix
    the path (the message suggests the closest name), or link to a page that exists.
    """

    id = "links.broken"

    def extract(self, item: Item) -> Any:
        links = [link for link in _links(item) if split_url(link[0])[0]]
        return {"l": links} if links else None

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        for path, data in extracts.items():
            if not data:
                continue
            for link in data["l"]:
                link_path = split_url(link[0])[0]
                target = resolve(path, link_path)
                if target is None:
                    yield CorpusFinding(
                        self.finding(path, link, f"link '{link[0]}' points outside the repository")
                    )
                    continue
                if target in extracts or self.tree.kind(target) is not None:
                    continue
                hint = self.tree.closest(target)
                suggestion = ""
                if hint:
                    base = link_path.rstrip("/").rsplit("/", 1)
                    fixed = f"{base[0]}/{hint}" if len(base) == 2 else hint
                    suggestion = f"; did you mean '{fixed}'?"
                yield CorpusFinding(
                    self.finding(path, link, f"link target {target} does not exist{suggestion}"),
                    related=(target,),
                )


# --- links.anchor --------------------------------------------------------------------------------


class MissingAnchor(_LinkRule):
    """A link to a heading anchor (`page.md#section` or `#section`) that the target lacks.

    Anchors are GitHub's heading slugs (lower case, punctuation dropped, spaces to hyphens;
    a repeated heading gets `-1`, `-2`), `{#custom-id}` on a heading, or an HTML `id`. A renamed
    heading breaks every link to it: update the links, or keep the old anchor with `{#old-id}`.
    """

    id = "links.anchor"

    def extract(self, item: Item) -> Any:
        links = [link for link in _links(item) if split_url(link[0])[1]]
        return {"l": links, "h": _anchors(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        lowered: dict[str, set[str]] = {}
        for path, data in extracts.items():
            if not data:
                continue
            for link in data["l"]:
                link_path, fragment = split_url(link[0])
                target = resolve(path, link_path) if link_path else path
                if target is None or not target.lower().endswith(MARKDOWN_SUFFIXES):
                    continue
                target_data = extracts.get(target)
                if not target_data:
                    continue  # missing (links.broken) or not a content file
                if target not in lowered:
                    lowered[target] = {a.casefold() for a in target_data["h"]}
                if fragment.casefold() in lowered[target]:
                    continue
                where = "this file" if target == path else target
                close = difflib.get_close_matches(fragment, target_data["h"], n=1, cutoff=0.6)
                suggestion = f"; did you mean '#{close[0]}'?" if close else ""
                yield CorpusFinding(
                    self.finding(path, link, f"no heading '#{fragment}' in {where}{suggestion}"),
                    related=() if target == path else (target,),
                )


# --- links.internal-target -----------------------------------------------------------------------


class InternalTarget(_LinkRule):
    """A link from `audience: public` content to `audience: internal` content.

    Internal content never reaches a public site, so visitors cannot open the link, and the
    link itself leaks the internal page's path and title. Link to public content instead, or
    make the linking content internal.
    """

    id = "links.internal-target"

    def extract(self, item: Item) -> Any:
        links = (
            [link for link in _links(item) if split_url(link[0])[0]]
            if item.audience == "public"
            else []
        )
        return {"a": item.audience, "t": item.display_title, "l": links}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        for path, data in extracts.items():
            if not data or data["a"] != "public":
                continue
            for link in data["l"]:
                target = resolve(path, split_url(link[0])[0])
                target_data = extracts.get(target) if target else None
                if not target_data or target_data["a"] != "internal":
                    continue
                title = f" ('{target_data['t']}')" if target_data["t"] else ""
                yield CorpusFinding(
                    self.finding(
                        path,
                        link,
                        f"public content links to internal content {target}{title}: visitors "
                        "cannot open it and the link leaks its path and title",
                    ),
                    related=(str(target),),
                )
