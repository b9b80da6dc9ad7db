"""JSON shapes: what a response looks like with its values taken out, and how two compare.

A shape is data:

- a type name: `"string"`, `"integer"`, `"number"`, `"boolean"`, `"null"`, or alternatives
  joined by `|` (`"string|null"`); `"any"` accepts every value;
- an object: a dict of field name → shape; a name ending in `?` is optional (absent is fine);
- an array: a list holding one shape, that of every item.

:func:`shape_of` records the shape of a real value (field names and JSON types, never values);
:func:`compare` lists how a value differs from an assumed shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Shape = Any
"""str | dict[str, Shape] | list[Shape] (recursive; kept loose for JSON round trips)."""

_WRAPPERS = ("documents", "items", "data", "results", "sessions", "history", "periods")


@dataclass(frozen=True)
class ShapeDifference:
    """One way a response differs from the shape API.md assumes."""

    path: str
    """Where, as `$.documents[].status`."""
    kind: str
    """`missing field`, `extra field`, `type differs`, `list bare, assumed wrapped`,
    `list wrapped, assumed bare`."""
    assumed: str
    observed: str

    def describe(self) -> str:
        return f"{self.path}: {self.kind} (assumed {self.assumed}, got {self.observed})"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # pragma: no cover - not produced by json.loads


def shape_of(value: Any) -> Shape:
    """The shape of a decoded JSON value: field names and types; items of a list merged."""
    if isinstance(value, dict):
        return {str(key): shape_of(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        merged: Shape = None
        for item in value:
            merged = _merge(merged, shape_of(item))
        return [merged] if merged is not None else []
    return type_name(value)


def _merge(left: Shape, right: Shape) -> Shape:
    if left is None:
        return right
    if isinstance(left, dict) and isinstance(right, dict):
        out = dict(left)
        for key, value in right.items():
            out[key] = _merge(out.get(key), value)
        return dict(sorted(out.items()))
    if isinstance(left, list) and isinstance(right, list):
        if not left or not right:
            return left or right
        return [_merge(left[0], right[0])]
    if left == right:
        return left
    names = set(_describe(left).split("|")) | set(_describe(right).split("|"))
    return "|".join(sorted(names))


def _describe(shape: Shape) -> str:
    if isinstance(shape, dict):
        return "object"
    if isinstance(shape, list):
        return "array"
    return str(shape)


def _accepts(assumed: str, value: Any) -> bool:
    names = set(assumed.split("|"))
    if "any" in names:
        return True
    kind = type_name(value)
    return kind in names or (kind == "integer" and "number" in names)


def compare(assumed: Shape, value: Any, path: str = "$") -> list[ShapeDifference]:
    """Every difference between the decoded response `value` and the `assumed` shape."""
    if isinstance(assumed, dict):
        if isinstance(value, list) and _wrapped_list(assumed) is not None:
            return [ShapeDifference(path, "list bare, assumed wrapped", "object", "array")]
        if not isinstance(value, dict):
            return [ShapeDifference(path, "type differs", "object", type_name(value))]
        return _compare_object(assumed, value, path)
    if isinstance(assumed, list):
        if isinstance(value, dict) and any(isinstance(value.get(k), list) for k in _WRAPPERS):
            return [ShapeDifference(path, "list wrapped, assumed bare", "array", "object")]
        if not isinstance(value, list):
            return [ShapeDifference(path, "type differs", "array", type_name(value))]
        found: dict[tuple[str, str], ShapeDifference] = {}
        for item in value:
            for difference in compare(assumed[0], item, f"{path}[]"):
                found.setdefault((difference.path, difference.kind), difference)
        return list(found.values())
    if _accepts(str(assumed), value):
        return []
    return [ShapeDifference(path, "type differs", str(assumed), type_name(value))]


def _compare_object(
    assumed: dict[str, Shape], value: dict[str, Any], path: str
) -> list[ShapeDifference]:
    differences: list[ShapeDifference] = []
    fields = {name.rstrip("?"): (shape, name.endswith("?")) for name, shape in assumed.items()}
    for name, (shape, optional) in fields.items():
        where = f"{path}.{name}"
        if name not in value:
            if not optional:
                differences.append(
                    ShapeDifference(where, "missing field", _describe(shape), "absent")
                )
            continue
        differences.extend(compare(shape, value[name], where))
    for name in sorted(set(value) - set(fields)):
        observed = _describe(shape_of(value[name]))
        differences.append(ShapeDifference(f"{path}.{name}", "extra field", "absent", observed))
    return differences


def _wrapped_list(assumed: dict[str, Shape]) -> str | None:
    for name, shape in assumed.items():
        if isinstance(shape, list):
            return name.rstrip("?")
    return None
