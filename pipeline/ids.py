"""Identifiers that end up in file names and git refs: environment, site, tenant and batch ids.

A site id becomes `.kbsync/state/<env>/<site>.json`, so an id is only ever letters, digits, `.`,
`_` and `-`, never starts or ends with `.`, never holds `..` or ends in `.lock` (git refs), is
not a name Windows reserves for a device (`CON`, `nul.x`, `COM1`: a file of that name is the
device, on any folder), and is at most 128 characters. Paths built
from ids are still verified to stay under their root (:func:`contained`), in case an id reaches
a store by another road than the configuration.
"""

from __future__ import annotations

import re
from pathlib import Path

SAFE_ID = re.compile(r"^[A-Za-z0-9_-](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?$")
SAFE_ID_RULE = (
    "letters, digits, '.', '_' and '-', not starting or ending with '.', no '..', "
    "not ending in '.lock', not a device name such as CON or NUL, at most 128"
)
_DEVICE = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\..*)?", re.IGNORECASE)


def is_safe_id(value: object) -> bool:
    """Whether `value` may be used as one component of a path or of a git ref (git refuses a
    component ending in `.` or `.lock`)."""
    return (
        isinstance(value, str)
        and SAFE_ID.fullmatch(value) is not None  # `$` would let a final line break through
        and ".." not in value
        and not value.endswith(".lock")
        and _DEVICE.fullmatch(value) is None
    )


def shown(value: object) -> str:
    """`value` for an error message: quoted, control characters escaped, long ones cut."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def contained(root: Path, path: Path) -> bool:
    """Whether `path`, with links and `..` resolved, lies under `root` (resolved too)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
