"""Find and read content files: every failure is a :class:`LoadProblem`, never an exception.

A file that cannot be used (not a regular file, a link out of the repository, over 2 MiB, binary,
not UTF-8, bad frontmatter) becomes a `schema` finding with its path and line, so one bad file
never hides the findings of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.corpus.model import Corpus, Item, Kind, LoadProblem
from pipeline.errors import ConfigError
from pipeline.ids import SAFE_ID_RULE, is_safe_id, shown

MAX_FILE_BYTES = 2 * 1024 * 1024
CONTENT_SUFFIXES = (".md", ".markdown")


def relative_path(path: Path, root: Path) -> str:
    """`path` relative to the repository root, with `/`; absolute when outside it."""
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def kind_of(rel_path: str) -> Kind:
    """Q&A entries live under a `qa/` folder; everything else is a document."""
    parts = rel_path.split("/")
    return "qa" if "qa" in parts[:-1] else "doc"


def discover(paths: Iterable[Path], root: Path) -> Iterator[Path]:
    """Content files under `paths` (folders are walked; files are taken as given), sorted."""
    seen: set[str] = set()
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            candidates = sorted(p for p in path.rglob("*") if p.suffix.lower() in CONTENT_SUFFIXES)
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.absolute().as_posix()
            if key not in seen:
                seen.add(key)
                yield candidate


def read_text(path: Path, root: Path) -> tuple[str | None, LoadProblem | None]:
    """The decoded text of `path`, or the problem that stops it being content."""
    rel = relative_path(path, root)
    if path.is_symlink():
        try:
            target = path.resolve()
        except (RuntimeError, OSError):  # a loop (3.11/3.12 raise RuntimeError, 3.13 OSError)
            return None, LoadProblem(
                rel,
                "schema.unreadable",
                "symbolic link loop (the link leads back to itself): kbsync skips it; "
                "remove the link or point it at a real file",
            )
        try:
            target.relative_to(root.resolve())
        except ValueError:
            return None, LoadProblem(
                rel,
                "schema.unreadable",
                "symbolic link to a file outside the repository: kbsync does not follow it; "
                "copy the file into the repository instead",
            )
    if not path.exists():
        return None, LoadProblem(rel, "schema.unreadable", "no such file")
    if not path.is_file():
        return None, LoadProblem(rel, "schema.unreadable", "not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, LoadProblem(
                rel,
                "schema.unreadable",
                f"file is {size / 1048576:.1f} MiB, over the 2 MiB limit for one content file; "
                "split it into smaller documents",
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, LoadProblem(rel, "schema.unreadable", f"cannot read: {exc.strerror}")
    return decode(rel, data)


def decode(rel: str, data: bytes) -> tuple[str | None, LoadProblem | None]:
    """UTF-8 (a BOM is allowed and dropped) with no NUL bytes."""
    if b"\x00" in data[:8192]:
        return None, LoadProblem(
            rel, "schema.unreadable", "binary file (contains NUL bytes), not Markdown text"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, LoadProblem(
            rel,
            "schema.encoding",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-save the file as UTF-8",
            line,
            column,
        )


def load_file(path: Path, root: Path) -> tuple[Item | None, list[LoadProblem]]:
    """Read and parse one content file."""
    from pipeline.corpus.parse import parse_item  # markdown-it, only when a file is parsed

    text, problem = read_text(path, root)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    rel = relative_path(path, root)
    return parse_item(rel, text, kind_of(rel))


def require_content(content_root: Path, setting: str = "content_dir") -> None:
    """Refuse a content folder that is missing or holds no content file: "0 files, 0 errors"
    would pass lint, and a plan would delete everything the site holds."""
    fix = f"set {setting} in kbsync.toml to the folder holding your Markdown, or run `kbsync init`"
    if not content_root.is_dir():
        what = "does not exist" if not content_root.exists() else "is not a folder"
        raise ConfigError(f"the content folder {what}", path=content_root, hint=fix)
    if next(discover([content_root], content_root), None) is None:
        raise ConfigError(
            f"the content folder holds no content files ({', '.join(CONTENT_SUFFIXES)})",
            path=content_root,
            hint=fix,
        )


def unsafe_id(item: Item) -> ConfigError | None:
    """The error for an item whose `id` or `batch` is not a safe identifier (None if both are):
    plan and sync refuse such content (lint reports it as a `schema` finding)."""
    for key in ("id", "batch"):
        value = getattr(item, key)
        if value and not is_safe_id(value):
            return ConfigError(
                f"{key} {shown(value)} is not a safe identifier ({SAFE_ID_RULE} characters)",
                path=item.path,
                line=item.meta_lines.get(key),
                hint="ids name state entries and batches; run `kbsync lint` and rename it",
            )
    return None


def load_corpus(paths: Iterable[Path], root: Path) -> Corpus:
    """Load every content file under `paths`."""
    corpus = Corpus()
    for path in discover(paths, root):
        item, problems = load_file(path, root)
        corpus.problems.extend(problems)
        if item is not None:
            corpus.items.append(item)
    return corpus
