"""`links.*`: relative links between files of the repository — broken, to a missing heading,
from public to internal content or to content with no public URL — resolved as the site
generator resolves them (:mod:`pipeline.corpus.links`, shared with sync's payloads).

Links are Markdown inline links and images (`[text](url)`, `![alt](src)`) and reference
definitions (`[ref]: url`), outside code and HTML comments. A URL with a scheme (`https:`,
`mailto:`, `tel:` …) is not checked. A relative link names a content file or a page by its URL
(`[lint.links] style`); a root-relative one (`/pricing/`) a page of the content root (after
`[lint.links] base_path`). `%20`-style escapes are decoded and the query dropped; file names are
compared with their exact case, as a case-sensitive host (GitHub, Linux CI) would. Heading
anchors are the generator's (`[lint.links] anchors`: GitHub/Hugo or kramdown/Jekyll slugs, repeated
headings get `-1`, `-2`), plus `{#custom-id}` on a heading and `id`/`name` attributes of HTML tags;
they are compared ignoring case. Anchors are checked in content files only. Links whose
destination holds template expressions with spaces (`{{ site.baseurl }}/x/`, `{{< ref "x" >}}`)
are links once the generator has run, and are read too.

These are corpus rules: each file's links and anchors are extracted once (cached by content)
and every link is checked against the extracts of the whole corpus and the file tree.

**Incremental runs.** With `--changed-since REF` every file is still read (from the cache where
unchanged), and a finding is kept when the linking file changed or the link's target did — so a
pull request that renames a heading sees the links it broke in files it did not touch. Links
whose target was *deleted* by the change are reported when the linking file changes, or by a
full run (git lists no deleted files as changed).

**One index per run.** The five rules share one :class:`LinkIndex` (built once from the page
records of the extracts), so each link is resolved once however many rules ask. Its `[lint.links]
unchecked` patterns run as every user pattern does (:mod:`pipeline.lint.limits`): compiled once,
`[lint] pattern_timeout` per linking file; a link they give up on is `unchecked` (counted by
`links.unchecked`, never reported broken) and its file gets one `lint.rule-timeout` warning.

Why one module of ~650 lines: the five rules are one reading of a file's links (extraction,
anchors, the shared index) with five verdicts; split per rule, each part would import the same
private extraction and index, and a change to what a link is would touch them all.
"""

from __future__ import annotations

import difflib
import functools
import os
import posixpath
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.corpus import Item
from pipeline.corpus.links import (
    AnchorEvent,
    LinkIndex,
    PageInfo,
    Resolution,
    anchor_ids,
    has_template,
    is_external,
    public_url,
    split_url,
)
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import CorpusFinding, CorpusRule, LintContext
from pipeline.lint.rules.runtime import RuleTimeout

__all__ = ["MARKDOWN_SUFFIXES", "resolve", "split_url"]

MARKDOWN_SUFFIXES = (".md", ".markdown")
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
_DEFINITION_TERM = re.compile(r"^([^\s:>|#-][^\n]*)\n(?:[ \t]*\n)?(:)[ \t]+\S", re.M)
"""A definition list's term (`term` then `: definition`): Hugo gives it an id like a heading's
(goldmark's `autoDefinitionTermID`)."""
_TERM_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`~]|\{#[^}]*\}|<[^>]+>")
_TEMPLATE = r"(?:\{\{[^\n]*?\}\}|\{%[^\n]*?%\})"
_DESTINATION = rf"((?:{_TEMPLATE}|[^\s()<>\[\]{{]|\{{(?![{{%]))+)"
_TEMPLATED_LINK = re.compile(rf"\]\(\s*{_DESTINATION}(?:\s+\"[^\"\n]*\")?\s*\)")
"""A link whose destination holds template expressions with spaces (`{{ site.baseurl }}/x/`,
`{{< relref "x.md" >}}`): no link to a Markdown parser, but one once the generator has run."""
_TEMPLATED_REF_DEF = re.compile(
    rf"^[ ]{{0,3}}\[[^\]\n]+\]:[ \t]*{_DESTINATION}(?:[ \t]+\"[^\"\n]*\")?[ \t]*$", re.M
)
_MAX_INCLUDE_DEPTH = 16
_HOOK_FILES = ("layouts/_markup/render-link.html", "layouts/_default/_markup/render-link.html")
"""Where a Hugo site keeps its link render hook (Hugo ≥ 0.146, and before)."""


class _LinkRule(CorpusRule):
    """What the links rules share: the links of a file and how a URL resolves."""

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        self.tree = _Tree(context.settings.root)

    def options(self) -> Mapping[str, Any]:
        links = self.context.settings.lint.links
        return {
            "style": links.style,
            "anchors": links.anchors,
            "base_path": links.base_path,
            "templates": dict(sorted(links.templates.items())),
            "permalink": links.permalink,
            "unchecked": list(links.unchecked),
            "getpage": links.getpage,
            "check_assets": links.check_assets,
            "asset_dirs": list(links.asset_dirs),
            "include_shortcodes": list(links.include_shortcodes),
        }

    def page(self, item: Item) -> list[Any]:
        return PageInfo.from_meta(item.path, item.meta).to_json()

    def index(self, extracts: Mapping[str, Any]) -> LinkIndex:
        """Every content file (from the extracts' page records) by path and by URL: the run's
        shared index (see the module's docstring)."""
        return self.shared(extracts).index

    def shared(self, extracts: Mapping[str, Any]) -> _SharedIndex:
        pages = {path: data["p"] for path, data in extracts.items() if data}
        last = _SHARED[0] if _SHARED else None
        if last is None or last.context is not self.context or last.pages != pages:
            last = _SharedIndex(self.context, pages, self.tree)
            _SHARED[:] = [last]
        return last

    def timeouts(
        self, shared: _SharedIndex, extracts: Mapping[str, Any]
    ) -> Iterator[CorpusFinding]:
        """One `lint.rule-timeout` warning per linking file where the `[lint.links] unchecked`
        patterns gave up (each reported by the first rule that met it)."""
        for path, url in shared.index.timed_out:
            if path in shared.reported:
                continue
            shared.reported.add(path)
            data = extracts.get(path) or {"l": []}
            link = next((lk for lk in data["l"] if lk[0] == url), None)
            line, column, end_line, end_column = link[1:5] if link else (1, 0, 1, 0)
            yield CorpusFinding(
                Finding(
                    rule=RuleTimeout.id,
                    category="lint",
                    severity=RuleTimeout.severity,
                    path=path,
                    line=line,
                    column=column,
                    end_line=end_line,
                    end_column=end_column,
                    message=(
                        f"the [lint.links] unchecked patterns ran out of their "
                        f"{shared.seconds:g} s time limit on link '{_shown(url)}', so it is "
                        "left unchecked (not reported broken; links.unchecked counts it): one "
                        "of the patterns is too slow (see the warning when rules load); "
                        "simplify it, or raise [lint] pattern_timeout"
                    ),
                )
            )

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


class _LimitedHooks:
    """`[lint.links] unchecked` as lint runs user patterns: compiled once, each search under
    the current budget (:mod:`pipeline.lint.limits`)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        from pipeline.lint.limits import compile_limited  # `regex`: only with patterns

        self._patterns = [compile_limited(pattern) for pattern in patterns]

    def __call__(self, url: str) -> bool:
        """Whether a pattern is found in `url`; TimeoutError when none is and one ran out."""
        timed_out = False
        for pattern in self._patterns:
            try:
                if pattern.search(url) is not None:
                    return True
            except TimeoutError:
                timed_out = True
        if timed_out:
            raise TimeoutError("a [lint.links] unchecked pattern ran out of time")
        return False


class _SharedIndex:
    """One run's :class:`LinkIndex`, shared by the links rules, with the time left to the
    `[lint.links] unchecked` patterns of each linking file (`[lint] pattern_timeout` each)."""

    def __init__(self, context: LintContext, pages: dict[str, Any], tree: _Tree) -> None:
        settings = context.settings
        self.context = context
        self.pages = pages
        self.seconds = settings.lint.pattern_timeout
        links = settings.lint.links
        self.limited = bool(links.unchecked)
        self.index = LinkIndex(
            [PageInfo.from_json(page) for page in pages.values()],
            settings.content_dir,
            links,
            exists=lambda path: tree.kind(path) is not None,
            matcher=_LimitedHooks(links.unchecked) if links.unchecked else None,
        )
        self._left: dict[str, float] = {}
        self.reported: set[str] = set()

    def resolve(self, path: str, url: str) -> Resolution:
        if not self.limited:
            return self.index.resolve(path, url)
        from pipeline.lint import limits

        left = self._left.get(path, self.seconds)
        start = time.monotonic()
        with limits.budget(left):
            found = self.index.resolve(path, url)
        self._left[path] = left - (time.monotonic() - start)
        return found


_SHARED: list[_SharedIndex] = []
"""The index of the run in progress (the rules check the corpus one after another)."""


def _shown(url: str) -> str:
    """`url` short enough for a message."""
    return url if len(url) <= 60 else url[:57] + "..."


_LAST: list[tuple[Item, list[list[Any]]]] = []
"""The last item's links: the rules extract from one item in turn."""


def _links(item: Item) -> list[list[Any]]:
    """`[url, line, column, end line, end column, is image]` of every checkable link."""
    if _LAST and _LAST[0][0] is item:
        return _LAST[0][1]
    links = _find_links(item)
    _LAST[:] = [(item, links)]
    return links


def _find_links(item: Item) -> list[list[Any]]:
    spans: list[tuple[str, int, int]] = [
        (link.url, link.span.start, link.span.end) for link in item.links
    ]
    images = set()
    for match in _IMAGE.finditer(item.text, item.body_start):
        spans.append((match.group(1), match.start(1), match.end(1)))
        images.add(match.start(1))
    for match in _REF_DEF.finditer(item.text, item.body_start):
        spans.append((match.group(1), match.start(1), match.end(1)))
    for pattern in (_TEMPLATED_LINK, _TEMPLATED_REF_DEF):
        for match in pattern.finditer(item.text, item.body_start):
            if has_template(match.group(1)):
                spans.append((match.group(1), match.start(1), match.end(1)))
    found: dict[int, list[Any]] = {}
    for url, start, end in spans:
        if not url or item.is_code(start) or _in_comment(item, start) or is_external(url):
            continue
        first, last = item.position(start), item.position(end)
        found.setdefault(
            start, [url, first.line, first.column, last.line, last.column, start in images]
        )
    return [found[start] for start in sorted(found)]


def _in_comment(item: Item, offset: int) -> bool:
    return any(span.start <= offset < span.end for span in item.comment_spans)


def _anchor_events(item: Item, style: str, shortcodes: tuple[str, ...]) -> list[list[str]]:
    """The sources of `item`'s anchors in document order: headings (`h`), definition terms
    (`t`, Hugo's), explicit ids (`x`: `{#id}`, HTML `id`/`name`) and the files it includes
    (`i`, by `{{% include "path" %}}`: their anchors are this page's)."""
    events: list[tuple[int, str, str]] = []
    for heading in item.headings:
        custom = _CUSTOM_ID.search(item.source.line_text(heading.line))
        if custom:
            events.append((heading.line, "x", custom.group(1)))
        else:
            events.append((heading.line, "h", heading.text))
    if style != "kramdown":
        for match in _DEFINITION_TERM.finditer(item.text, item.body_start):
            if item.is_code(match.start(2)):  # the term itself may be `code`
                continue
            term = _TERM_MARKUP.sub(lambda m: m.group(1) or "", match.group(1)).strip()
            events.append((item.position(match.start()).line, "t", term))
    for match in _HTML_ID.finditer(item.text, item.body_start):
        if not item.is_code(match.start()):
            events.append((item.position(match.start()).line, "x", match.group(1)))
    if shortcodes:
        names = "|".join(re.escape(name) for name in shortcodes)
        include = re.compile(
            rf"\{{\{{[<%]\s*(?:{names})\s+(?:\"([^\"\n]*)\"|`([^`\n]*)`|([^\s\"`>%]+))"
            rf"[^\n]*?[>%]\}}\}}"
        )
        for match in include.finditer(item.text, item.body_start):
            if item.is_code(match.start()) or _in_comment(item, match.start()):
                continue
            path = match.group(1) or match.group(2) or match.group(3) or ""
            events.append((item.position(match.start()).line, "i", path.strip()))
    return [[kind, text] for _line, kind, text in sorted(events, key=lambda e: e[0])]


class _Anchors:
    """Every page's anchors, its included files' spliced in where they are included (cached;
    an include loop or a missing file adds nothing, never hangs)."""

    def __init__(self, index: LinkIndex, extracts: Mapping[str, Any], style: str) -> None:
        self.index = index
        self.extracts = extracts
        self.style = style
        self._ids: dict[str, list[str]] = {}

    def of(self, path: str) -> list[str]:
        if path not in self._ids:
            self._ids[path] = anchor_ids(self._events(path, (), 0), self.style)
        return self._ids[path]

    def _events(self, path: str, seen: tuple[str, ...], depth: int) -> list[AnchorEvent]:
        data = self.extracts.get(path)
        if not data or path in seen or depth > _MAX_INCLUDE_DEPTH:
            return []
        events: list[AnchorEvent] = []
        for kind, text in data["h"]:
            if kind != "i":
                events.append((kind, text))
                continue
            included = self.index.get_page(path, text)
            if included is not None:
                events.extend(self._events(included, (*seen, path), depth + 1))
        return events


def resolve(from_path: str, link_path: str) -> str | None:
    """The repository path `link_path` names from file `from_path` by file path alone, or None
    if it is outside the repository (climbs out of it, or is absolute)."""
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
    """A relative link to a file or page that does not exist.

    A link resolves as `[lint.links] style` says: against the linking file's folder (`file`),
    against the page's URL as Hugo and Jekyll serve it (`pretty`: from `learning/setup.md`,
    served at `/learning/setup/`, `../api/` is `learning/api.md` or `learning/api/_index.md`), or
    either (`auto`, the default). Root-relative links (`/learning/api/`) resolve against the
    content root, then in `[lint.links] asset_dirs` (`static/`, `assets/`); frontmatter `url`,
    `permalink`, `slug` and `aliases` name pages too. Hugo's `ref`/`relref` shortcodes and
    Jekyll's `{% link %}` name a source file and are checked; with `[lint.links] getpage` a link
    also names a content file as Hugo's `GetPage` finds it (what Hugo's link render hooks do). A
    link that climbs out of the repository is broken. Links with a scheme (`https:`, `mailto:`)
    are not checked, nor links holding a template expression `[lint.links] templates` does not
    substitute, links matching `[lint.links] unchecked` (a render hook's, like `[term](g)`), or,
    with `check_assets = false`, missing files that are not pages (`links.unchecked` counts
    them). Fix the path (the message suggests the closest name), or link to a page that exists.
    """

    id = "links.broken"

    def extract(self, item: Item) -> Any:
        links = [link for link in _links(item) if split_url(link[0])[0]]
        return {"l": links, "p": self.page(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        shared = self.shared(extracts)
        for path, data in extracts.items():
            if not data:
                continue
            for link in data["l"]:
                found = shared.resolve(path, link[0])
                if found.kind == "outside":
                    yield CorpusFinding(
                        self.finding(path, link, f"link '{link[0]}' points outside the repository")
                    )
                elif found.kind == "missing":
                    yield CorpusFinding(self._missing(path, link, found), related=(found.target,))
        yield from self.timeouts(shared, extracts)

    def _missing(self, path: str, link: list[Any], found: Resolution) -> Finding:
        target = found.target
        if found.reason == "ref":
            return self.finding(
                path,
                link,
                f"'{target}' names no content file (looked for it from this page's folder and "
                "from the content root, as Hugo's ref and Jekyll's link do)",
            )
        link_path = split_url(link[0])[0]
        hint = self.tree.closest(target) if not link_path.startswith("/") else None
        suggestion = ""
        if hint and link_path.endswith("/"):
            hint = posixpath.splitext(hint)[0] + "/"  # a page URL: suggest one
        if hint:
            base = link_path.rstrip("/").rsplit("/", 1)
            fixed = f"{base[0]}/{hint}" if len(base) == 2 else hint
            suggestion = f"; did you mean '{fixed}'?"
        suggestion += self._hook_hint()
        what = (
            f"link target {target or '/'}"
            if not link_path.endswith("/")
            else (f"no page at '{link_path}' (looked for {target or '.'} and its folder page)")
        )
        if not link_path.endswith("/"):
            return self.finding(path, link, f"{what} does not exist{suggestion}")
        return self.finding(path, link, f"{what}{suggestion}")

    @functools.cached_property
    def _hook(self) -> str:
        """The site's link render hook, when kbsync was told nothing of one: it may resolve
        what kbsync cannot (Hugo docs' `[term](g)`, `GetPage` lookups). Looked for in the
        content folder and each folder above it (a Hugo site's root holds `content/`)."""
        links = self.context.settings.lint.links
        if links.getpage or links.unchecked:
            return ""
        folder = self.context.settings.content_dir.strip("/")
        while True:
            for name in _HOOK_FILES:
                candidate = f"{folder}/{name}" if folder else name
                if self.tree.kind(candidate) == "file":
                    return candidate
            if not folder:
                return ""
            folder = posixpath.dirname(folder)

    def _hook_hint(self) -> str:
        if not self._hook:
            return ""
        return (
            f" (the site's link render hook {self._hook} may resolve it: if it does, set "
            "[lint.links] getpage or unchecked)"
        )


# --- links.unchecked -----------------------------------------------------------------------------


class UncheckedLinks(_LinkRule):
    """Links kbsync could not check: they hold a template expression (`{{ … }}`, `{% … %}`)
    `[lint.links] templates` does not substitute, match a `[lint.links] unchecked` pattern (a
    render hook's or plugin's links), or name a missing file while `check_assets = false`.

    One finding for the whole corpus, on the first such link, says how many there are and why.
    Tell kbsync what each expression stands for in `[lint.links] templates` (`"{{site.baseurl}}"
    = ""`) and those links are checked like any other.
    """

    id = "links.unchecked"
    severity = Severity.SUGGESTION

    def extract(self, item: Item) -> Any:
        return {"l": _links(item), "p": self.page(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        shared = self.shared(extracts)
        unchecked: list[tuple[str, list[Any], str]] = []
        for path, data in extracts.items():
            for link in data["l"] if data else ():
                found = shared.resolve(path, link[0])
                if found.kind == "unchecked":
                    unchecked.append((path, link, found.reason))
        yield from self.timeouts(shared, extracts)
        if not unchecked:
            return
        files = sorted({path for path, _, _ in unchecked})
        path, link, _ = unchecked[0]
        count = len(unchecked)
        yield CorpusFinding(
            self.finding(
                path,
                link,
                f"{count} link{'s' if count != 1 else ''} in {len(files)} "
                f"file{'s' if len(files) != 1 else ''} left unchecked: "
                + _unchecked_reasons(unchecked),
            ),
            related=tuple(files[1:] if files[0] == path else files),
        )


def _unchecked_reasons(unchecked: list[tuple[str, list[Any], str]]) -> str:
    """Why links were left unchecked, one clause per reason, the first link of each named."""
    by_reason: dict[str, list[str]] = {}
    for _path, link, reason in unchecked:
        by_reason.setdefault(reason, []).append(link[0])
    template = by_reason.get("template", [])
    if len(by_reason) == 1 and template:
        return (
            f"{'they hold' if len(template) != 1 else 'it holds'} template expressions "
            f"(first: '{template[0]}'); say what each stands for in [lint.links] templates"
        )
    clauses = []
    if "hook" in by_reason:
        links = by_reason["hook"]
        clauses.append(
            f"{len(links)} match [lint.links] unchecked, a render hook's (first: '{links[0]}')"
        )
    if "timeout" in by_reason:
        links = by_reason["timeout"]
        clauses.append(
            f"{len(links)} could not be matched against [lint.links] unchecked in time "
            f"(first: '{_shown(links[0])}'; see the lint.rule-timeout warning)"
        )
    if "asset" in by_reason:
        links = by_reason["asset"]
        clauses.append(
            f"{len(links)} name files this repository does not hold, with check_assets = false "
            f"(first: '{links[0]}')"
        )
    if template:
        clauses.append(
            f"{len(template)} hold template expressions (first: '{template[0]}'); say what "
            "each stands for in [lint.links] templates"
        )
    return "; ".join(clauses)


# --- links.anchor --------------------------------------------------------------------------------


class MissingAnchor(_LinkRule):
    """A link to a heading anchor (`page.md#section`, `../page/#section` or `#section`) that the
    target lacks.

    Anchors are the generator's heading ids (`[lint.links] anchors`: `github` — GitHub and
    Hugo's default, lower case, punctuation dropped, spaces to hyphens — or `kramdown` — Jekyll,
    also dropping `_` and anything before the first letter — or `auto`, either; a repeated
    heading gets `-1`, `-2`), `{#custom-id}` on a heading, or an HTML `id`. With `github` and
    `auto`, a definition list's term (`term` then `: definition`) has an id too, as Hugo gives
    it, and terms and headings share one register of ids (a term `cascade` before a heading
    `Cascade` makes it `#cascade-1`). A file included with `{{% include "path" %}}` (`[lint.links]
    include_shortcodes`) lends its anchors to the including page. A renamed heading breaks every
    link to it: update the links, or keep the old anchor with `{#old-id}`.
    """

    id = "links.anchor"

    def extract(self, item: Item) -> Any:
        links = [link for link in _links(item) if "#" in link[0]]
        settings = self.context.settings.lint.links
        events = _anchor_events(item, settings.anchors, tuple(settings.include_shortcodes))
        return {"l": links, "h": events, "p": self.page(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        shared = self.shared(extracts)
        index = shared.index
        anchors = _Anchors(index, extracts, self.context.settings.lint.links.anchors)
        lowered: dict[str, set[str]] = {}
        for path, data in extracts.items():
            if not data:
                continue
            for link in data["l"]:
                found = shared.resolve(path, link[0])
                target, fragment = found.target, found.fragment
                if found.kind != "page" or not fragment:
                    continue
                if not target.lower().endswith(MARKDOWN_SUFFIXES):
                    continue
                target_data = extracts.get(target)
                if not target_data:
                    continue
                if target not in lowered:
                    lowered[target] = {a.casefold() for a in anchors.of(target)}
                if fragment.casefold() in lowered[target]:
                    continue
                where = "this file" if target == path else target
                close = difflib.get_close_matches(fragment, anchors.of(target), n=1, cutoff=0.6)
                suggestion = f"; did you mean '#{close[0]}'?" if close else ""
                yield CorpusFinding(
                    self.finding(path, link, f"no heading '#{fragment}' in {where}{suggestion}"),
                    related=() if target == path else (target,),
                )
        yield from self.timeouts(shared, extracts)


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
        return {"a": item.audience, "t": item.display_title, "l": links, "p": self.page(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        shared = self.shared(extracts)
        for path, data in extracts.items():
            if not data or data["a"] != "public":
                continue
            for link in data["l"]:
                found = shared.resolve(path, link[0])
                target = found.target
                target_data = extracts.get(target) if found.kind == "page" else None
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
        yield from self.timeouts(shared, extracts)


# --- links.unpublished ---------------------------------------------------------------------------


class UnpublishedTarget(_LinkRule):
    """A link from `audience: public` content to a page or file with no public URL.

    In what kbsync sends to Uppzy every relative link becomes its target's public URL, so the
    assistant can cite a page customers can open; a link whose target has none keeps only its
    label. A page has a public URL when its frontmatter `url` is a full URL, or when a site of
    any environment in kbsync.toml that takes its audience has a `public_base_url`. Files that
    are not content (a PDF, a Markdown file outside the content folder) have none. Images are
    not reported. The rule is silent until some site sets `public_base_url` (before that, no
    relative link has a public URL and every one would be reported). Set `public_base_url` on the site, give the page a `url`, or link to the
    published page with a full URL.
    """

    id = "links.unpublished"
    severity = Severity.WARNING

    def options(self) -> Mapping[str, Any]:
        return {**super().options(), "sites": self._sites()}

    def _sites(self) -> list[tuple[str, str, tuple[str, ...]]]:
        return _publishing_sites(self.context.settings)

    def extract(self, item: Item) -> Any:
        links = (
            [link for link in _links(item) if split_url(link[0])[0] and not link[5]]
            if item.audience == "public"
            else []
        )
        return {"a": item.audience, "l": links, "p": self.page(item)}

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        sites = self._sites()
        if not any(base for base, _pattern, _audiences in sites):
            return
        shared = self.shared(extracts)
        index = shared.index
        for path, data in extracts.items():
            if not data or data["a"] != "public":
                continue
            for link in data["l"]:
                found = shared.resolve(path, link[0])
                if found.kind == "file":
                    message = (
                        f"public content links to {found.target or '/'}, which is not content: "
                        "it has no public URL, so the assistant gets only the link's label"
                    )
                elif found.kind == "page" and found.target != path:
                    page = index.pages[found.target]
                    if page.audience == "internal" or any(
                        public_url(index, page, base, pattern, audiences)
                        for base, pattern, audiences in sites
                    ):
                        continue
                    message = (
                        f"public content links to {found.target}, which has no public URL: "
                        "the assistant gets only the link's label; set public_base_url on a "
                        "site that takes it, or give it a `url`"
                    )
                else:
                    continue
                yield CorpusFinding(self.finding(path, link, message), related=(found.target,))
        yield from self.timeouts(shared, extracts)


def _publishing_sites(settings: Settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """(public base URL, URL pattern, audiences) of every site of every environment."""
    sites = {
        (site.public_base_url, site.url_pattern, tuple(sorted(site.audiences)))
        for env in settings.environments.values()
        for site in env.sites.values()
    }
    return sorted(sites)
