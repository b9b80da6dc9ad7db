"""Template expressions in a payload's Markdown: read as the site generator reads them.

Hugo runs its shortcodes (`{{< relref "install.md" >}}`, `{{% note %}}`) and Jekyll its Liquid
(`{{ site.baseurl }}`, `{% link _articles/x.md %}`) *before* the Markdown is rendered, so
`[Install]({{< relref "install.md" >}})` is a link on the site, though to a Markdown parser the
spaces inside the braces make it text. So before the body is parsed, every complete expression
is replaced by an opaque placeholder (private-use characters, no spaces, nothing Markdown reads
as markup): the link is then a link, and after the parse each placeholder becomes what the
payload shows —

- in a link's destination, the expression as written (the link is resolved like any other:
  :meth:`pipeline.sync.links.SiteLinks.rewrite`);
- in code (fenced, indented or a code span), the expression as written: code stays verbatim;
- in prose, a `ref`/`relref` shortcode or Liquid `link` tag (which write a page's URL) becomes
  that page's public URL, or nothing when it has none; any other expression is removed — it
  is markup, not words (`{{< figure … >}}`, `{{% include … %}}`); the content between a paired
  shortcode's tags (`{{% note %}}Keep it dry.{{% /note %}}`) stays.

An expression may span lines (`{{< img\\n  src="x.jpg" >}}`): its placeholder keeps the line
breaks (so every line still maps to its line of the file), each continuation line reduced to
its indentation and a filler character. An expression never spans a blank line or a code fence,
and an opener without its closer (`{{< ref "x"` then nothing) is not an expression: it stays
text as written (Hugo fails the build on it). Expressions nest (`{{< x a="{{ y }}" >}}` is
one). The scan is one pass over the braces, linear in the size of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_OPEN, _CLOSE, _FILL = "\ue000", "\ue001", "\ue002"
_DELIMITERS = re.compile(f"[{_OPEN}{_CLOSE}{_FILL}]")
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}((?:\\n[ \\t]*{_FILL})*)")
_ENCODED = re.compile("%EE%80%8([01])", re.I)
"""A placeholder's delimiters as a Markdown parser percent-encodes them in a link destination."""
_PUNYCODE = re.compile(r"xn--([a-z0-9-]+)", re.I)
"""A host name label as the parser encodes it (a placeholder in `https://{{ x }}/` is one)."""
_TOKENS = re.compile(
    r"\{\{|\{%|%\}\}|\}\}|%\}"
    r"|\n(?=[ \t]*(?:\n|$))"
    r"|\n(?=[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:`{3,}|~{3,}))"
)
"""What the scan looks at: openers, closers, and the line breaks no expression crosses (before
a blank line or a code fence)."""
_PAGE_REFERENCE = re.compile(r"\{\{[<%]-?\s*(?:relref|ref)\s|\{%-?\s*link\s", re.S)
"""A `ref`/`relref` shortcode or a Liquid `link` tag: its output is a page's URL."""


def has_expressions(text: str) -> bool:
    """Whether `text` may hold a template expression (or a placeholder character)."""
    return "{{" in text or "{%" in text or _DELIMITERS.search(text) is not None


@dataclass(frozen=True)
class Expressions:
    """The template expressions of one Markdown source, by placeholder number, as written."""

    originals: tuple[str, ...] = ()

    def verbatim(self, text: str) -> str:
        """`text` with every placeholder back to the expression as written (for code)."""
        if not self.originals or _OPEN not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self.originals[int(m.group(1))], text)

    def destination(self, href: str) -> str:
        """A link destination as the parser gives it, with its expressions as written."""
        if not self.originals:
            return href
        decoded = _ENCODED.sub(lambda m: _CLOSE if m.group(1) == "1" else _OPEN, href)
        if "xn--" in decoded.lower():
            decoded = _PUNYCODE.sub(_placeholder_label, decoded)
        return self.verbatim(decoded)

    def prose(self, text: str, page_url: Callable[[str], str | None]) -> str:
        """`text` as a reader sees it: a page reference becomes `page_url(expression)` (or
        nothing), any other expression nothing, a placeholder character stays itself."""
        if not self.originals or not _DELIMITERS.search(text):
            return text

        def shown(match: re.Match[str]) -> str:
            original = self.originals[int(match.group(1))]
            if _DELIMITERS.fullmatch(original):
                return original
            if _PAGE_REFERENCE.match(original):
                return page_url(original) or ""
            return ""

        return _PLACEHOLDER.sub(shown, text.replace(_FILL, ""))


def _placeholder_label(match: re.Match[str]) -> str:
    """A punycode host label decoded when it holds a placeholder, else left as it is."""
    try:
        label = match.group(1).encode("ascii").decode("punycode")
    except UnicodeError:
        return match.group(0)
    return label if _OPEN in label else match.group(0)


def protect(source: str) -> tuple[str, Expressions]:
    """`source` with every complete template expression (and every character the placeholders
    use) replaced by a placeholder, and what each stands for. The line breaks are kept."""
    if not has_expressions(source):
        return source, Expressions()
    spans = _expression_spans(source)
    spans.extend((m.start(), m.end()) for m in _DELIMITERS.finditer(source))
    out: list[str] = []
    originals: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue  # inside an expression already taken (a nested one, a character)
        original = source[start:end]
        out.append(source[position:start])
        out.append(f"{_OPEN}{len(originals)}{_CLOSE}")
        for line in original.split("\n")[1:]:
            out.append("\n" + line[: len(line) - len(line.lstrip(" \t"))] + _FILL)
        originals.append(original)
        position = end
    out.append(source[position:])
    return "".join(out), Expressions(tuple(originals))


def _expression_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) of every outermost complete expression: `{{ … }}` or `{% … %}`, nested
    ones inside it, not across a blank line or a code fence."""
    stack: list[tuple[int, str]] = []
    found: list[tuple[int, int]] = []
    for match in _TOKENS.finditer(source):
        token = match.group(0)
        if token[0] == "\n":
            stack.clear()
        elif token in ("{{", "{%"):
            stack.append((match.start(), token))
        elif stack:
            opener = stack[-1][1]
            if opener == "{{" and token in ("}}", "%}}"):
                found.append((stack.pop()[0], match.end()))
            elif opener == "{%" and token in ("%}", "%}}"):
                found.append((stack.pop()[0], match.start() + 2))
    found.sort(key=lambda span: (span[0], -span[1]))
    outermost: list[tuple[int, int]] = []
    for start, end in found:
        if outermost and start < outermost[-1][1]:
            continue
        outermost.append((start, end))
    return outermost
