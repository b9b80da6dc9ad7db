"""What kbsync sends to Uppzy for one item: a normalised, hashed payload.

Uppzy advises sending "readable text" with no hidden content, so the Markdown body is rendered to
plain text before it leaves: HTML comments, kbsync directives, raw HTML tags and tracking
snippets are removed; headings, lists, tables and links stay readable (a link keeps its text and
its URL). Code blocks are kept as they are (they are content). `kbsync plan --show-payload ID`
shows the result.

The `content_hash` is the sha256 of the canonical JSON of the payload, so any change that would
reach Uppzy — and only such a change — makes an update.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.corpus import Item, QAEntry

PAYLOAD_FORMAT = 1
"""Bumped when normalisation changes, so every item's hash (and a full re-plan) follows."""

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
_BLANKS = re.compile(r"\n{3,}")


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


def payload_for(item: Item, content_dir: str) -> Payload:
    """The payload of `item` (whose path is relative to the repository root)."""
    text = readable_text(item.body)
    category = item.category or default_category(item.path, content_dir)
    if isinstance(item, QAEntry):
        question = item.question.strip()
        return Payload(
            type="qa",
            title=(item.title or question).strip(),
            category=category,
            question=question,
            answer=text,
        )
    return Payload(type="text", title=item.display_title.strip(), category=category, content=text)


def default_category(path: str, content_dir: str) -> str:
    """The first folder under `docs/` or `qa/` (`content/docs/billing/x.md` → `billing`)."""
    prefix = content_dir.rstrip("/") + "/"
    rel = path[len(prefix) :] if path.startswith(prefix) else path
    parts = rel.split("/")
    return parts[1] if len(parts) > 2 else "general"


def readable_text(markdown: str) -> str:
    """Markdown rendered to the plain text an assistant should read."""
    source = _COMMENT.sub("", markdown.replace("\r\n", "\n"))
    source = _TRACKING.sub("", source)
    lines: list[str] = []
    tokens = _MD.parse(source)
    list_stack: list[list[int]] = []  # per open list: [next number or -1 for bullets]
    row: list[str] = []
    quote = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "bullet_list_open":
            list_stack.append([-1])
        elif kind == "ordered_list_open":
            list_stack.append([int(token.attrs.get("start", 1) or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
            if not list_stack:
                lines.append("")
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "tr_open":
            row = []
        elif kind in ("th_open", "td_open"):
            row.append(_inline_text(tokens[index + 1]))
        elif kind == "tr_close":
            lines.append(" | ".join(cell.strip() for cell in row))
        elif kind == "table_close":
            lines.append("")
        elif kind in ("fence", "code_block"):
            lines.extend(token.content.rstrip("\n").split("\n"))
            lines.append("")
        elif kind == "html_block":
            text = _TAG.sub("", token.content).strip()
            if text:
                lines.extend([text, ""])
        elif kind == "inline" and tokens[index - 1].type in ("heading_open", "paragraph_open"):
            parent = tokens[index - 1]
            text = _inline_text(token)
            if not text:
                continue
            prefix = "> " * quote
            if parent.type == "heading_open":
                lines.extend([prefix + text, ""])
            elif list_stack and _in_list_item(tokens, index):
                marker = _list_marker(list_stack)
                indent = "  " * (len(list_stack) - 1)
                lines.append(f"{prefix}{indent}{marker} {text}")
            else:
                lines.extend([prefix + text, ""])
    out = "\n".join(line.rstrip() for line in lines)
    return _BLANKS.sub("\n\n", out).strip() + "\n" if out.strip() else ""


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


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    link_stack: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "link_open":
            link_stack.append(_clean_url(str(child.attrs.get("href", ""))))
            parts.append("\0")
        elif kind == "link_close":
            href = link_stack.pop() if link_stack else ""
            start = len(parts) - 1 - parts[::-1].index("\0")
            label = "".join(parts[start + 1 :]).strip()
            parts[start:] = [_link_text(label, href)]
        elif kind == "image":
            alt = child.content.strip()
            if alt:
                parts.append(alt)
        elif kind == "html_inline":
            continue
    text = "".join(parts)
    return _SPACES.sub(" ", text).strip()


def _link_text(label: str, href: str) -> str:
    if not href or href.startswith("#"):
        return label
    if not label or label == href or label == href.removeprefix("mailto:"):
        return href.removeprefix("mailto:")
    return f"{label} ({href})"


def _clean_url(url: str) -> str:
    cleaned = _TRACKING_PARAMS.sub(r"\1", url)
    return cleaned.rstrip("?&")
