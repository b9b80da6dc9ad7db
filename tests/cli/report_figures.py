"""Read the figures of a report page (`data-metric` JSON pointers) and check them against
report.json; shared by the fast HTML test and the headless-browser test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any


@dataclass(frozen=True)
class Figure:
    metric: str
    text: str
    value: str | None
    """The raw `data-value` attribute (JSON), when the page shows the figure in words."""


class _FigureParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[Figure] = []
        self._open: list[tuple[str, str, str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        metric = found.get("data-metric")
        if metric is not None:
            self._open.append((tag, metric, found.get("data-value"), []))

    def handle_data(self, data: str) -> None:
        for *_, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, metric, value, text = self._open.pop()
            self.figures.append(Figure(metric, "".join(text).strip(), value))


def figures(page: str) -> list[Figure]:
    """Every element of `page` that carries a `data-metric`, in document order."""
    parser = _FigureParser()
    parser.feed(page)
    parser.close()
    return parser.figures


def resolve(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901); KeyError/IndexError when it is not there."""
    value = data
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def mismatches(page: str, data: dict[str, Any]) -> list[str]:
    """Figures whose text (or data-value) differs from report.json, or that point nowhere."""
    out = []
    for fig in figures(page):
        try:
            expected = resolve(data, fig.metric)
        except (KeyError, IndexError, ValueError, TypeError):
            out.append(f"{fig.metric}: not in report.json")
            continue
        if fig.value is not None:
            if json.loads(fig.value) != expected:
                out.append(f"{fig.metric}: page says {fig.value}, JSON says {expected!r}")
        elif fig.text != str(expected):
            out.append(f"{fig.metric}: page shows {fig.text!r}, JSON says {expected!r}")
    return out


def shown(page: str) -> dict[str, str]:
    """metric → what the page shows (data-value when present, else the text)."""
    return {f.metric: f.value if f.value is not None else f.text for f in figures(page)}
