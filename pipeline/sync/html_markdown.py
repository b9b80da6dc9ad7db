"""Uppzy's HTML turned into clean Markdown, for `kbsync import`.

A document typed in Uppzy's dashboard may hold HTML; kbsync's content is Markdown. This converts
the parts a knowledge-base article uses — headings, paragraphs, line breaks, lists (nested,
numbered), links, emphasis, inline code, code blocks, block quotes, tables, rules — with the
standard library's `html.parser`, so no dependency is added. Scripts, styles and comments are
dropped (kbsync would never send them); unknown tags keep their text. Characters Markdown would
read as markup are escaped, so the text a payload renders from the result is the HTML's text.

Content that is not HTML (plain text or Markdown) is kept as it is: :func:`looks_like_html`
decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HTML_TAG = re.compile(
    r"</?(?:p|div|br|h[1-6]|ul|ol|li|a|strong|b|em|i|code|pre|table|tr|td|th|blockquote|span|"
    r"section|article|hr|img)\b[^<>]*>",
    re.I,
)
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"})
_DROPPED = frozenset({"script", "style", "noscript", "iframe", "template", "head", "title"})
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "body",
        "html", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "pre", "blockquote",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "hr", "dl", "dt", "dd", "figure",
        "figcaption",
    }
)  # fmt: skip
_CLOSES_P = _BLOCKS - {"li", "td", "th", "tr", "thead", "tbody", "tfoot", "dt", "dd"}
_SPACES = re.compile(r"\s+")
_ESCAPE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)(?:([#+-])|(\d+)([.)]))(?=\s|$)")


def looks_like_html(text: str) -> bool:
    """Whether `text` is HTML (it holds a tag an article uses), not plain text or Markdown."""
    return bool(_HTML_TAG.search(text))


def to_markdown(text: str) -> str:
    """`text` as Markdown: converted when it is HTML, else kept (line endings normalised)."""
    if not looks_like_html(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return html_to_markdown(text)


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unclosed tags close with their parent, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("root")
        self.stack = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in _DROPPED:
                self.skipping += 1
            return
        if tag in _DROPPED:
            self.skipping = 1
            return
        if tag in _CLOSES_P:
            self._close_open("p", stop_at={"li", "td", "th", "blockquote", "div"})
        if tag == "li":
            self._close_open("li", stop_at={"ul", "ol"})
        if tag in ("td", "th"):
            self._close_open("td", stop_at={"tr", "table"})
            self._close_open("th", stop_at={"tr", "table"})
        if tag == "tr":
            self._close_open("tr", stop_at={"table"})
        element = _Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and not self.skipping and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in _DROPPED:
                self.skipping -= 1
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.stack[-1].children.append(data)

    def _close_open(self, tag: str, *, stop_at: set[str]) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            current = self.stack[depth].tag
            if current == tag:
                del self.stack[depth:]
                return
            if current in stop_at:
                return


def html_to_markdown(html: str) -> str:
    """Convert HTML to Markdown ending in one newline (empty when it holds no text)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    blocks = _blocks(builder.root.children)
    text = "\n\n".join(block for block in blocks if block.strip())
    return text.strip("\n") + "\n" if text.strip() else ""


def _blocks(children: list[_Element | str]) -> list[str]:
    """Block-level Markdown of `children`: runs of inline content become paragraphs."""
    blocks: list[str] = []
    run: list[_Element | str] = []

    def flush() -> None:
        text = _inline(run).strip()
        if text:
            blocks.append(_escape_line_starts(text))
        run.clear()

    for child in children:
        if isinstance(child, _Element) and child.tag in _BLOCKS:
            flush()
            blocks.extend(_block(child))
        else:
            run.append(child)
    flush()
    return blocks


def _block(element: _Element) -> list[str]:
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _inline(element.children).strip()
        return [f"{'#' * int(tag[1])} {text}"] if text else []
    if tag in ("ul", "ol"):
        listed = _list(element)
        return [listed] if listed else []
    if tag == "pre":
        return [_code_block(element)]
    if tag == "blockquote":
        inner = "\n\n".join(_blocks(element.children))
        return ["\n".join(f"> {line}".rstrip() for line in inner.split("\n"))] if inner else []
    if tag == "table":
        table = _table(element)
        return [table] if table else []
    if tag == "hr":
        return ["---"]
    return _blocks(element.children)


def _list(element: _Element) -> str:
    ordered = element.tag == "ol"
    number = _start(element) if ordered else 0
    lines: list[str] = []
    for child in element.children:
        if not isinstance(child, _Element) or child.tag != "li":
            continue
        marker = f"{number}." if ordered else "-"
        number += 1
        pad = " " * (len(marker) + 1)
        parts = _blocks(child.children) or [""]
        body = parts[0]
        for part in parts[1:]:
            body += ("\n" if part.lstrip().startswith(("-", *"0123456789")) else "\n\n") + part
        first, *rest = body.split("\n")
        lines.append(f"{marker} {first}".rstrip())
        lines.extend(f"{pad}{line}" if line else "" for line in rest)
    return "\n".join(lines)


def _start(element: _Element) -> int:
    value = element.attrs.get("start", "1")
    return int(value) if value.isdigit() else 1


def _code_block(element: _Element) -> str:
    code = _raw_text(element).strip("\n")
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}\n{code}\n{fence}"


def _table(element: _Element) -> str:
    rows: list[list[str]] = []
    for row in _descendants(element, "tr"):
        cells = [
            _inline(cell.children).strip().replace("\n", " ")
            for cell in row.children
            if isinstance(cell, _Element) and cell.tag in ("td", "th")
        ]
        if cells:
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return "\n".join(lines)


def _descendants(element: _Element, tag: str) -> list[_Element]:
    found: list[_Element] = []
    for child in element.children:
        if isinstance(child, _Element):
            if child.tag == tag:
                found.append(child)
            elif child.tag != "table":
                found.extend(_descendants(child, tag))
    return found


def _inline(children: list[_Element | str]) -> str:
    """Inline Markdown of `children` (whitespace collapsed as a browser would)."""
    parts: list[str] = []
    for child in children:
        if isinstance(child, str):
            parts.append(_ESCAPE.sub(r"\\\1", _SPACES.sub(" ", child)))
            continue
        tag = child.tag
        if tag == "br":
            parts.append("\\\n")
        elif tag in ("strong", "b"):
            parts.append(_wrap(_inline(child.children), "**"))
        elif tag in ("em", "i"):
            parts.append(_wrap(_inline(child.children), "*"))
        elif tag == "code":
            parts.append(_code_span(_raw_text(child)))
        elif tag == "a":
            parts.append(_link(child))
        elif tag == "img":
            parts.append(_ESCAPE.sub(r"\\\1", child.attrs.get("alt", "")))
        elif tag in _BLOCKS:
            parts.append(" " + _inline(child.children) + " ")
        else:
            parts.append(_inline(child.children))
    text = "".join(parts)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _wrap(text: str, mark: str) -> str:
    """`text` emphasised, the spaces kept outside the marks (Markdown needs it so)."""
    core = text.strip()
    if not core:
        return text
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{core}{mark}{trail}"


def _code_span(code: str) -> str:
    code = _SPACES.sub(" ", code)
    ticks = "`"
    while ticks in code:
        ticks += "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _link(element: _Element) -> str:
    href = element.attrs.get("href", "").strip()
    label = _inline(element.children).strip()
    if not href:
        return label
    target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    if not label:
        return f"<{href}>" if re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>]*$", href, re.I) else ""
    return f"[{label}]({target})"


def _raw_text(element: _Element) -> str:
    return "".join(
        child if isinstance(child, str) else _raw_text(child) for child in element.children
    )


def _escape_line_starts(text: str) -> str:
    """A paragraph line that starts like a heading or list item is escaped, so it stays text."""
    return "\n".join(_LINE_START.sub(_escaped_marker, line) for line in text.split("\n"))


def _escaped_marker(match: re.Match[str]) -> str:
    indent, mark, digits, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{digits}\\{dot}"
