"""Turn kbsync's exceptions into one clear message and an exit status (pre-commit's way), and
keep API keys out of everything the CLI writes.

The :data:`MASKER` knows the values of the key variables (every variable `api_key_env` names,
and any variable whose name says it holds a key, token, secret or password). Error messages,
log lines and everything written to stdout and stderr pass through it, so a key quoted by a
library (httpx puts a bad header's value in its error), a server or a bug is printed masked.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

import click

from pipeline.errors import KbsyncError

_SECRET_NAME = re.compile(
    r"api_?key|(^|_)key($|_)|token|secret|passw(or)?d|credential", re.IGNORECASE
)
_MIN_PIECE = 6
"""Shorter pieces of a key (between its whitespace) are not masked: they would hit words."""
_PRINTABLE_RUN = re.compile(r"[\x21-\x7e]{%d,}" % _MIN_PIECE)  # noqa: UP031


class Masker:
    """Replaces every registered secret value (and each long piece of it) with a masked form."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}

    def add(self, value: str | None) -> None:
        """Register `value`: whole, each whitespace-separated piece, and their escaped forms
        (`repr` of the text and of its UTF-8 bytes, as libraries quote them in errors)."""
        if not value or not value.strip():
            return
        forms = {value, value.strip(), *value.split()}
        for form in list(forms):
            forms.add(repr(form)[1:-1])
            forms.add(repr(form.encode("utf-8", "backslashreplace"))[2:-1])
            forms.update(_PRINTABLE_RUN.findall(form))
        with self._lock:
            for form in forms:
                if len(form) >= _MIN_PIECE and form not in self._secrets:
                    self._secrets[form] = _masked(form)

    def add_from_environment(
        self, names: Iterable[str] = (), environ: Mapping[str, str] | None = None
    ) -> None:
        """Register the values of the variables `names` and of every variable whose name says
        it holds a secret."""
        environ = os.environ if environ is None else environ
        for name, value in environ.items():
            if _SECRET_NAME.search(name):
                self.add(value)
        for name in names:
            self.add(environ.get(name))

    def __call__(self, text: str) -> str:
        if not self._secrets or not text:
            return text
        with self._lock:
            # Longest first, so a whole key is masked before any piece of it.
            secrets = sorted(self._secrets.items(), key=lambda pair: -len(pair[0]))
        for secret, masked in secrets:
            if secret in text:
                text = text.replace(secret, masked)
        return text

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()


def _masked(value: str) -> str:
    """`sbx_live_5f0c2a9d…` → `sbx_[masked]` (ASCII, for any terminal): at most four characters."""
    return f"{value[:4]}[masked]" if len(value) > 12 else "[masked]"


MASKER = Masker()


class MaskedStream:
    """A text stream that masks what is written to it; every other attribute is the inner's."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    @property
    def inner(self) -> TextIO:
        return self._inner

    def write(self, text: str) -> int:
        self._inner.write(MASKER(text) if isinstance(text, str) else text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def mask_standard_streams() -> None:
    """Route sys.stdout and sys.stderr through the masker (once; the CLI undoes it at exit)."""
    if not isinstance(sys.stdout, MaskedStream):
        sys.stdout = MaskedStream(sys.stdout)
    if not isinstance(sys.stderr, MaskedStream):
        sys.stderr = MaskedStream(sys.stderr)


def unmask_standard_streams() -> None:
    if isinstance(sys.stdout, MaskedStream):
        sys.stdout = sys.stdout.inner
    if isinstance(sys.stderr, MaskedStream):
        sys.stderr = sys.stderr.inner


def render_error(exc: KbsyncError) -> str:
    """The message a user sees for `exc`: what is wrong, then what to do (keys masked)."""
    text = f"error: {exc.message}"
    if exc.hint:
        text += f"\n  hint: {exc.hint}"
    return MASKER(text)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Exit with the error's status and message instead of a traceback."""
    try:
        yield
    except KbsyncError as exc:
        click.echo(render_error(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one masked line; the traceback only when asked for
        if os.environ.get("KBSYNC_DEBUG"):
            click.echo(MASKER(traceback.format_exc()), err=True)
        click.echo(MASKER(f"error: internal error: {type(exc).__name__}: {exc}"), err=True)
        click.echo(
            "  hint: this is a bug in kbsync: run again with KBSYNC_DEBUG=1 for the traceback "
            "and report it",
            err=True,
        )
        sys.exit(1)


def fail(exc: KbsyncError, exit_code: int | None = None) -> None:
    """Inside a click command: report `exc` and exit (works under CliRunner too) with
    `exit_code`, by default the error's own."""
    click.echo(render_error(exc), err=True)
    raise SystemExit(exc.exit_code if exit_code is None else exit_code)
