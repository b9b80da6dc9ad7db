"""Parse one file's text into an :class:`Item`: frontmatter with key lines, prose view, links.

Markdown structure (code blocks, HTML blocks, headings) comes from markdown-it-py; markdown-it
gives block tokens line ranges but not inline columns, so inline non-prose (code spans, link
URLs, autolinks, bare URLs, HTML tags, Hugo shortcodes) is found on the source itself, outside
code blocks, which keeps every offset exact.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.corpus.model import (
    Document,
    Heading,
    Item,
    Kind,
    Link,
    LoadProblem,
    QAEntry,
    SourceFile,
    Span,
)
from pipeline.yamlfile import FAST_LOADER, YamlSyntaxError, parse_yaml

# Block structure only: inline parsing is the costly half of markdown-it and we find inline
# constructs on the source ourselves (with exact offsets).
_MD = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


class _FrontmatterLoader(FAST_LOADER):  # type: ignore[valid-type,misc]
    """libyaml's safe loader, but dates stay strings: `schema.date` reports a bad one."""


_FrontmatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in FAST_LOADER.yaml_implicit_resolvers.items()
}
_YAML_LOADER = _FrontmatterLoader
# python-frontmatter's own boundary: a line of three or more dashes.
_BOUNDARY = YAMLHandler.FM_BOUNDARY

_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]*>", re.I)
_BARE_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]]+", re.I)
# [text](url "title") and ![alt](src); the URL group is what gets masked.
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_REF_DEF = re.compile(
    r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(\S+)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*$", re.M
)


def parse_item(path: str, text: str, kind: Kind) -> tuple[Item | None, list[LoadProblem]]:
    """Parse `text` (already decoded) into a Document or QAEntry, or report why not."""
    source = SourceFile.from_text(path, text)
    problems: list[LoadProblem] = []
    meta: dict[str, Any] = {}
    meta_lines: dict[str, int] = {}
    body_start = 0
    fm = _split_frontmatter(text)
    if fm is None:
        problems.append(
            LoadProblem(
                path,
                "schema.frontmatter",
                "no YAML frontmatter: the file must start with a line '---', the fields, and '---'",
            )
        )
        return None, problems
    else:
        yaml_text, yaml_line, body_start = fm
        parsed = _load_yaml(path, yaml_text, yaml_line)
        if isinstance(parsed, LoadProblem):
            problems.append(parsed)
            return None, problems
        meta, meta_lines = parsed
    first_body_line = text.count("\n", 0, body_start) + 1
    tokens = _MD.parse(text[body_start:].replace("\r\n", "\n"))
    mask, code, comments = _non_prose_mask(text, body_start, tokens, first_body_line)
    prose = _blank(text, mask)
    links = tuple(_links(text, body_start, code))
    headings = tuple(_headings(tokens, first_body_line))
    common: dict[str, Any] = {
        "kind": kind,
        "source": source,
        "meta": meta,
        "meta_lines": meta_lines,
        "body_start": body_start,
        "prose": prose,
        "code_spans": tuple(code),
        "comment_spans": tuple(comments),
        "links": links,
        "headings": headings,
        "id": _str(meta.get("id")),
        "status": _str(meta.get("status")),
        "audience": _str(meta.get("audience")) or "public",
        "batch": _str(meta.get("batch")) or None,
        "reviewed": _date(meta.get("reviewed")),
        "expires": _date(meta.get("expires")),
        "category": _str(meta.get("category")) or None,
        "owner": _str(meta.get("owner")) or None,
        "tags": _strs(meta.get("tags")),
        "sites": _strs(meta.get("sites")),
    }
    item: Item
    if kind == "qa":
        item = QAEntry(
            **common,
            question=_str(meta.get("question")),
            alternates=_strs(meta.get("alternates")),
            title=_str(meta.get("title")),
        )
    else:
        item = Document(**common, title=_str(meta.get("title")))
    return item, problems


_MASKED_RUN = re.compile(rb"\x01+")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str, mask: bytearray) -> str:
    """`text` with every masked character but newlines turned into a space."""
    parts = []
    last = 0
    for run in _MASKED_RUN.finditer(mask):
        parts.append(text[last : run.start()])
        parts.append(_NOT_NEWLINE.sub(" ", text[run.start() : run.end()]))
        last = run.end()
    parts.append(text[last:])
    return "".join(parts)


def slugify(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _split_frontmatter(text: str) -> tuple[str, int, int] | None:
    """(yaml text, line of its first line, offset where the body starts) or None."""
    first = _BOUNDARY.match(text)
    if first is None or first.start() != 0:
        return None
    closing = _BOUNDARY.search(text, first.end())
    if closing is None:
        return None
    yaml_start = first.end() + 1 if text[first.end() : first.end() + 1] == "\n" else first.end()
    body_start = closing.end()
    if text[body_start : body_start + 2] == "\r\n":
        body_start += 2
    elif text[body_start : body_start + 1] == "\n":
        body_start += 1
    return text[yaml_start : closing.start()], 2, body_start


def _load_yaml(
    path: str, yaml_text: str, first_line: int
) -> tuple[dict[str, Any], dict[str, int]] | LoadProblem:
    try:
        parsed = parse_yaml(yaml_text, loader=_YAML_LOADER)
    except YamlSyntaxError as exc:
        what = f"frontmatter is not valid YAML: {exc.problem}"
        if exc.line is None:
            return LoadProblem(path, "schema.yaml", what, first_line)
        return LoadProblem(path, "schema.yaml", what, first_line + exc.line - 1, exc.column or 1)
    data = parsed.data
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(parsed.node, yaml.MappingNode):
        return LoadProblem(
            path, "schema.yaml", "frontmatter must be a mapping of fields (key: value)", first_line
        )
    lines = {key: first_line + line - 1 for key, line in parsed.key_lines().items()}
    return {str(k): v for k, v in data.items()}, lines


def _non_prose_mask(
    text: str, body_start: int, tokens: list[Token], first_body_line: int
) -> tuple[bytearray, list[Span], list[Span]]:
    """A per-character flag (1 = not prose), the code spans and the HTML comment spans."""
    mask = bytearray(len(text))
    mask[:body_start] = b"\x01" * body_start
    starts = SourceFile.from_text("", text).line_starts
    code: list[Span] = []
    comments: list[Span] = []

    def line_range(begin: int, end: int) -> tuple[int, int]:
        lo = starts[begin] if begin < len(starts) else len(text)
        hi = starts[end] if end < len(starts) else len(text)
        return lo, hi

    for token in tokens:
        if token.map is None or token.nesting == -1:
            continue
        begin = token.map[0] + first_body_line - 1
        end = token.map[1] + first_body_line - 1
        if token.type in ("fence", "code_block"):
            lo, hi = line_range(begin, end)
            mask[lo:hi] = b"\x01" * (hi - lo)
            inner_lo, inner_hi = (
                line_range(begin + 1, end - 1) if token.type == "fence" else (lo, hi)
            )
            code.append(Span(inner_lo, max(inner_lo, inner_hi)))

    for match in _HTML_COMMENT.finditer(text, body_start):
        if not any(s.start <= match.start() < s.end for s in code):
            comments.append(Span(match.start(), match.end()))
            mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for pattern in (_SHORTCODE, _INLINE_CODE):
        for match in pattern.finditer(text, body_start):
            if mask[match.start()]:
                continue
            if pattern is _INLINE_CODE:
                code.append(Span(match.start(), match.end()))
            mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for match in _LINK.finditer(text, body_start):
        if mask[match.start()]:
            continue
        # Keep the link text as prose; blank the brackets, the URL and the title.
        text_start, text_end = match.span(2)
        for lo, hi in ((match.start(), text_start), (text_end, match.end())):
            mask[lo:hi] = b"\x01" * (hi - lo)
        if match.group(1):  # an image: its alt text is not prose we lint
            mask[text_start:text_end] = b"\x01" * (text_end - text_start)
    # Masking what is already masked (a URL inside code) is harmless, so no checks here.
    for pattern in (_REF_DEF, _AUTOLINK, _BARE_URL, _HTML_TAG):
        for match in pattern.finditer(text, body_start):
            mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    code.sort(key=lambda s: s.start)
    return mask, code, comments


def _links(text: str, body_start: int, code: list[Span]) -> list[Link]:
    found = []
    for match in _LINK.finditer(text, body_start):
        if match.group(1):
            continue
        if any(s.start <= match.start() < s.end for s in code):
            continue
        url_start, url_end = match.span(3)
        found.append(Link(text=match.group(2), url=match.group(3), span=Span(url_start, url_end)))
    return found


def _headings(tokens: list[Token], first_line: int) -> list[Heading]:
    headings = []
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        title = _plain_inline(tokens[index + 1].content)
        slug = slugify(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        if count:
            slug = f"{slug}-{count}"
        headings.append(
            Heading(level=int(token.tag[1]), text=title, slug=slug, line=first_line + token.map[0])
        )
    return headings


_INLINE_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`~]|\{#[^}]*\}|<[^>]+>")


def _plain_inline(source: str) -> str:
    """Inline Markdown as plain text (link text kept, markup dropped), for heading anchors."""
    return _INLINE_MARKUP.sub(lambda m: m.group(1) or "", source).strip()


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None and not isinstance(v, dict | list))
    return ()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_frontmatter(path: str, text: str) -> dict[str, Any] | None:
    """Only the frontmatter of a file (no Markdown parse), or None when it has none usable:
    what link resolution needs from every file of the corpus, cheaply."""
    fm = _split_frontmatter(text)
    if fm is None:
        return None
    parsed = _load_yaml(path, fm[0], fm[1])
    return None if isinstance(parsed, LoadProblem) else parsed[0]
