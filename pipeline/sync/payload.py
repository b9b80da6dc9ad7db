"""What kbsync sends to Uppzy for one item: a normalised, hashed payload.

Uppzy advises sending "readable text" with no hidden content, so the Markdown body is rendered to
plain text before it leaves: HTML comments, kbsync directives, raw HTML tags and tracking
snippets are removed; headings, lists, tables and links stay readable: a link keeps its text
and its URL — a relative link its target's public URL (:mod:`pipeline.sync.links`), or only its
text when the target has none, never a repository path. Template expressions are read as the
site generator reads them (:mod:`pipeline.sync.templates`): a `{{< relref "x.md" >}}` or
`{{ site.baseurl }}/x/` link is a link, other shortcodes and tags are removed from prose. Code
(blocks and spans) is kept as it is: it is content. Nothing else is dropped: nesting deeper
than the parser goes is flattened. `kbsync plan --show-payload ID` shows the result.

:func:`outbound_for` also gives the payload's fields as one text with the file line of each of
its lines: what the payload gate checks and reports against.

The `content_hash` is the sha256 of the canonical JSON of the payload, so any change that would
reach Uppzy — and only such a change — makes an update.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.corpus import Item, QAEntry
from pipeline.corpus.links import has_template, is_external
from pipeline.corpus.outbound import OutboundText
from pipeline.sync.templates import Expressions, protect

PAYLOAD_FORMAT = 3
"""Bumped when normalisation changes, so every item's hash (and a full re-plan) follows.

2: nesting deeper than markdown-it's limit is flattened instead of cut (with the text after it);
a removed comment keeps its line breaks (so lines map back to the file).
3: a relative link becomes its target's public URL, or keeps only its label (never a path)."""

RENDERING = 2
"""Bumped when rendering changes the text of *some* documents only (bumping PAYLOAD_FORMAT,
which every hash includes, would send every document again). It is part of each target's
configuration fingerprint, so the next plan after an upgrade reads every file (instead of
carrying unchanged files over from the state with the payloads an older kbsync made) and sends
exactly the documents whose payload changed.

2: template expressions (`{{< relref … >}}`, `{{ site.baseurl }}`, `{% link … %}`) in links and
prose become public URLs or labels, never raw template text."""

LinkRewriter = Callable[[str, str], str | None]
"""(linking file's path, href) → the URL a payload shows for the link, or None for the label
alone: :meth:`pipeline.sync.links.SiteLinks.rewrite`."""

DocType = Literal["text", "qa"]

_MD = MarkdownIt("commonmark").enable("table")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TRACKING = re.compile(
    r"<(script|style|noscript|iframe)\b.*?</\1\s*>|<img\b[^>]*(?:pixel|track|beacon|1x1)[^>]*>",
    re.S | re.I,
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_TRACKING_PARAMS = re.compile(r"([?&])(?:utm_[a-z]+|fbclid|gclid|mc_eid|mc_cid)=[^&#\s]*&?", re.I)
_SPACES = re.compile(r"[ \t]+")
_LEAVES = frozenset({"inline", "fence", "code_block", "html_block", "hr"})
_DEEP = int(_MD.options["maxNesting"]) - 2
"""A parse that reaches this level may have been cut: check what it covered."""
_MAX_FLATTEN = 3
_CONTAINERS = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+[ \t]*|[ \t]+")
_BULLET = re.compile(r"[-*+]|\d[.)]")


@dataclass(frozen=True)
class Payload:
    """One Uppzy document as kbsync would send it."""

    type: DocType
    title: str
    category: str
    content: str = ""
    question: str = ""
    answer: str = ""

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(
            {"format": PAYLOAD_FORMAT, **asdict(self)}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def body(self) -> dict[str, str]:
        """The fields Uppzy's create endpoints take."""
        if self.type == "qa":
            return {
                "title": self.title,
                "question": self.question,
                "answer": self.answer,
                "category": self.category,
            }
        return {"title": self.title, "content": self.content, "category": self.category}

    @property
    def size(self) -> int:
        return len(self.content.encode()) + len(self.answer.encode()) + len(self.question.encode())


def payload_for(item: Item, content_dir: str, links: LinkRewriter | None = None) -> Payload:
    """The payload of `item` (whose path is relative to the repository root)."""
    return outbound_for(item, content_dir, links)[0]


def outbound_for(
    item: Item, content_dir: str, links: LinkRewriter | None = None
) -> tuple[Payload, OutboundText]:
    """The payload of `item` and its fields as one text mapped to the file's lines.

    The text is what the payload gate checks: the title (and question) on their frontmatter
    lines, the category, then the rendered body line by line on the lines it came from.
    `links` gives a relative link's public URL; without it such a link keeps only its label.
    """
    first_body_line = item.text.count("\n", 0, item.body_start) + 1
    rendered = _render_markdown(item.body, _for_file(item.path, links))
    text = _joined(rendered)
    category = item.category or default_category(item.path, content_dir)
    if isinstance(item, QAEntry):
        question = item.question.strip()
        payload = Payload(
            type="qa",
            title=(item.title or question).strip(),
            category=category,
            question=question,
            answer=text,
        )
        head = [(payload.title, item.key_line("title" if item.title else "question"))]
        head.append((question, item.key_line("question")))
    else:
        payload = Payload(
            type="text", title=item.display_title.strip(), category=category, content=text
        )
        head = [(payload.title, item.key_line("title"))]
    head.append((category, item.key_line("category")))
    lines: list[str] = []
    origins: list[tuple[int, int]] = []
    for value, line in head:
        for part in value.split("\n"):
            lines.append(part)
            origins.append((line, line))
    for part, (first, last) in _trimmed(rendered):
        lines.append(part)
        origins.append((first + first_body_line - 1, last + first_body_line - 1))
    return payload, OutboundText(item.path, "\n".join(lines), tuple(origins))


def default_category(path: str, content_dir: str) -> str:
    """The first folder under `docs/` or `qa/` (`content/docs/billing/x.md` → `billing`)."""
    prefix = content_dir.rstrip("/") + "/"
    rel = path[len(prefix) :] if path.startswith(prefix) else path
    parts = rel.split("/")
    return parts[1] if len(parts) > 2 else "general"


def readable_text(markdown: str) -> str:
    """Markdown rendered to the plain text an assistant should read."""
    return _joined(_render_markdown(markdown, _for_file("", None)))


_Href = Callable[[str], str | None]


def _for_file(path: str, links: LinkRewriter | None) -> _Href:
    """What a link's href becomes in the payload of the file at `path`."""

    def rewrite(href: str) -> str | None:
        if not href or href.startswith("#"):
            return None
        if has_template(href):  # resolved (and substituted) as lint does, or the label alone
            url = links(path, href) if links is not None else None
            return _clean_url(url) if url else None
        if is_external(href):
            return _clean_url(href)
        return links(path, href) if links is not None else None

    return rewrite


# --- rendering ---------------------------------------------------------------------------------

Rendered = list[tuple[str, tuple[int, int]]]
"""Output lines, each with the 1-based (first, last) line of the Markdown it came from."""


def _joined(rendered: Rendered) -> str:
    trimmed = _trimmed(rendered)
    return "\n".join(text for text, _ in trimmed) + "\n" if trimmed else ""


def _trimmed(rendered: Rendered) -> Rendered:
    """Trailing spaces off, runs of blank lines collapsed to one, none at either end."""
    out: Rendered = []
    for text, origin in rendered:
        for part in text.split("\n"):
            part = part.rstrip()
            if not part and (not out or not out[-1][0]):
                continue
            out.append((part, origin))
    while out and not out[-1][0]:
        out.pop()
    if out and out[0][0] != out[0][0].lstrip():
        out[0] = (out[0][0].lstrip(), out[0][1])
    return out


def _blank_keeping_lines(match: re.Match[str]) -> str:
    """A removed comment or snippet leaves its line breaks, so later lines keep their number."""
    return "\n" * match.group(0).count("\n")


@dataclass(frozen=True)
class _Context:
    """How one file's links and template expressions render (:mod:`pipeline.sync.templates`)."""

    rewrite: _Href
    expressions: Expressions

    def prose(self, text: str) -> str:
        return self.expressions.prose(text, self.rewrite)

    def code(self, text: str) -> str:
        return self.expressions.verbatim(text)

    def href(self, destination: str) -> str | None:
        return self.rewrite(self.expressions.destination(destination))


def _render_markdown(markdown: str, rewrite: _Href) -> Rendered:
    """Render a file's Markdown body: comments and tracking snippets out, template
    expressions protected from the parser, then :func:`_render_lines`."""
    source = _COMMENT.sub(_blank_keeping_lines, markdown.replace("\r\n", "\n"))
    source = _TRACKING.sub(_blank_keeping_lines, source)
    source, expressions = protect(source)
    return _render_lines(source, context=_Context(rewrite, expressions))


def _render_lines(source: str, depth: int = 0, *, context: _Context) -> Rendered:
    """Render Markdown; nesting beyond markdown-it's limit is flattened, never dropped.

    markdown-it stops descending at `maxNesting` and skips the rest of the container (and, for
    lists, what follows it), so when a parse reaches that depth, every source line no token
    covers is rendered again with its container markers (`>`, list bullets, indentation)
    stripped, and put back in its place.
    """
    tokens = _MD.parse(source)
    rendered = _render_tokens(tokens, context)
    if depth >= _MAX_FLATTEN or not any(t.level >= _DEEP for t in tokens):
        return rendered
    covered = bytearray(source.count("\n") + 1)
    for token in tokens:
        if token.map and (token.type in _LEAVES or token.type == "table_open"):
            covered[token.map[0] : token.map[1]] = b"\1" * (token.map[1] - token.map[0])
    source_lines = source.split("\n")
    dropped: list[tuple[int, list[str]]] = []  # runs of uncovered lines: (first index, lines)
    for index, line in enumerate(source_lines):
        if covered[index]:
            continue
        if dropped and dropped[-1][0] + len(dropped[-1][1]) == index:
            dropped[-1][1].append(_flatten(line))
        elif line.strip():
            dropped.append((index, [_flatten(line)]))
    if not dropped:
        return rendered
    extra: Rendered = []
    for first, lines in dropped:
        for text, (lo, hi) in _render_lines("\n".join(lines), depth + 1, context=context):
            extra.append((text, (lo + first, hi + first)))
        extra.append(("", (first + len(lines), first + len(lines))))
    return list(heapq.merge(rendered, extra, key=lambda entry: entry[1][0]))


def _flatten(line: str) -> str:
    """A line without its container markers; a list item keeps one bullet."""
    match = _CONTAINERS.match(line)
    prefix = match.group(0) if match else ""
    rest = line[len(prefix) :]
    return f"- {rest}" if _BULLET.search(prefix) else rest


def _render_tokens(tokens: list[Token], context: _Context) -> Rendered:
    lines: Rendered = []
    list_stack: list[list[int]] = []  # per open list: [next number or -1 for bullets]
    row: list[str] = []
    quote = 0
    where = (1, 1)
    for index, token in enumerate(tokens):
        kind = token.type
        if token.map:
            where = (token.map[0] + 1, max(token.map[0] + 1, token.map[1]))
        if kind == "bullet_list_open":
            list_stack.append([-1])
        elif kind == "ordered_list_open":
            list_stack.append([int(token.attrs.get("start", 1) or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
            if not list_stack:
                lines.append(("", where))
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "tr_open":
            row = []
        elif kind in ("th_open", "td_open"):
            row.append(_inline_text(tokens[index + 1], context))
        elif kind == "tr_close":
            lines.append((" | ".join(cell.strip() for cell in row), where))
        elif kind == "table_close":
            lines.append(("", where))
        elif kind in ("fence", "code_block"):
            first = where[0] + (1 if kind == "fence" else 0)
            for offset, line in enumerate(context.code(token.content).rstrip("\n").split("\n")):
                lines.append((line, (first + offset, first + offset)))
            lines.append(("", where))
        elif kind == "html_block":
            text = context.prose(_TAG.sub("", token.content)).strip()
            if text:
                lines.extend([(text, where), ("", where)])
        elif kind == "inline" and tokens[index - 1].type in ("heading_open", "paragraph_open"):
            parent = tokens[index - 1]
            text = _inline_text(token, context)
            if not text:
                continue
            prefix = "> " * quote
            if parent.type == "heading_open":
                lines.extend([(prefix + text, where), ("", where)])
            elif list_stack and _in_list_item(tokens, index):
                marker = _list_marker(list_stack)
                indent = "  " * (len(list_stack) - 1)
                lines.append((f"{prefix}{indent}{marker} {text}", where))
            else:
                lines.extend([(prefix + text, where), ("", where)])
    return lines


def _in_list_item(tokens: list[Token], index: int) -> bool:
    return index >= 2 and tokens[index - 2].type == "list_item_open"


def _list_marker(stack: list[list[int]]) -> str:
    if not stack:
        return "-"
    current = stack[-1]
    if current[0] < 0:
        return "-"
    number = current[0]
    current[0] += 1
    return f"{number}."


def _inline_text(token: Token, context: _Context) -> str:
    parts: list[str] = []
    link_stack: list[str | None] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append(context.prose(child.content))
        elif kind == "code_inline":
            parts.append(context.code(child.content))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "link_open":
            link_stack.append(context.href(str(child.attrs.get("href", ""))))
            parts.append("\0")
        elif kind == "link_close":
            href = link_stack.pop() if link_stack else None
            start = len(parts) - 1 - parts[::-1].index("\0")
            label = "".join(parts[start + 1 :]).strip()
            parts[start:] = [_link_text(label, href)]
        elif kind == "image":
            alt = context.prose(child.content).strip()
            if alt:
                parts.append(alt)
        elif kind == "html_inline":
            continue
    text = "".join(parts)
    return _SPACES.sub(" ", text).strip()


def _link_text(label: str, href: str | None) -> str:
    if not href:
        return label
    if not label or label == href or label == href.removeprefix("mailto:"):
        return href.removeprefix("mailto:")
    return f"{label} ({href})"


def _clean_url(url: str) -> str:
    cleaned = _TRACKING_PARAMS.sub(r"\1", url)
    return cleaned.rstrip("?&")
