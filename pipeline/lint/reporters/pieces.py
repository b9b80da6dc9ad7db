"""Helpers for reporters that write their output piece by piece."""

from __future__ import annotations

import json.encoder
from collections.abc import Iterable, Iterator

json_string = json.encoder.encode_basestring
"""A JSON string literal exactly as `json.dumps(..., ensure_ascii=False)` writes it."""


def joined_lines(lines: Iterable[str]) -> Iterator[str]:
    """`"\\n".join(lines)`, piece by piece."""
    first = True
    for line in lines:
        yield line if first else "\n" + line
        first = False


def indented_json(value: object, level: int) -> str:
    """`value` as `json.dumps(indent=2, ensure_ascii=False)` writes it `level` levels deep (a
    JSON string never holds a raw newline, so every newline is one of the layout's)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
