"""Git questions kbsync asks (through GitPython): what changed since a ref, what HEAD is.

Part of the shared model: lint (`--changed-since`) and sync (the state's commit) both ask.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import git

from pipeline.errors import UsageError


def _repo(root: Path) -> git.Repo | None:
    """The repository holding `root` (None outside one), its git commands told to print paths
    as they are: by default git quotes a name with non-ASCII bytes (`"caf\\303\\251.md"`), and
    such a name would match no file."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    repo.git.set_persistent_git_options(c="core.quotePath=false")
    return repo


def open_repo(root: Path) -> git.Repo:
    repo = _repo(root)
    if repo is None:
        raise UsageError(
            f"{root} is not inside a git repository",
            hint="run kbsync from a git checkout, or drop --changed-since",
        )
    return repo


def resolve(repo: git.Repo, ref: str) -> str | None:
    """The commit sha `ref` names, or None when the repository does not know it."""
    try:
        return str(repo.commit(ref).hexsha)
    except (git.BadName, ValueError, git.GitCommandError):
        return None


def head_commit(root: Path) -> str | None:
    """HEAD's sha, or None outside a repository or before the first commit."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
        return str(repo.head.commit.hexsha)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return None


@dataclass(frozen=True)
class ChangedPaths:
    """What a pull request changed: paths (relative to the root, with `/`) that exist in the
    working tree and differ from the base, and paths that were deleted (or renamed away)."""

    present: frozenset[str]
    deleted: frozenset[str]
    base: str = ""
    """The commit compared against: the merge base of the ref and HEAD."""


def changed_since(root: Path, ref: str) -> ChangedPaths:
    """Paths that differ between `ref` and the working tree.

    Like a pull request's diff: compared from the merge base of `ref` and HEAD, including
    uncommitted and untracked (not ignored) files. A rename is a deletion and an addition.
    """
    repo = open_repo(root)
    base = _merge_base(repo, ref)
    top = Path(repo.working_tree_dir or root)
    present: list[str] = repo.git.ls_files("--others", "--exclude-standard").splitlines()
    deleted: list[str] = []
    for line in repo.git.diff("--name-status", "--no-renames", base).splitlines():
        status, _, name = line.partition("\t")
        (deleted if status == "D" else present).append(name)
    return ChangedPaths(_under(root, top, present), _under(root, top, deleted), base)


def _merge_base(repo: git.Repo, ref: str) -> str:
    """Where a pull request against `ref` starts: the merge base of `ref` and HEAD."""
    target = resolve(repo, ref)
    if target is None and not repo.head.is_valid():
        raise UsageError(
            f"cannot compare with {ref!r}: this repository has no commit yet",
            hint="commit the content first (git add -A && git commit), then compare",
        )
    if target is None:
        branch = ref.removeprefix("origin/")
        if _is_shallow(repo):
            raise UsageError(
                f"git does not know {ref!r}: this is a shallow clone without it",
                hint=f"fetch it: git fetch --depth=50 origin {branch} (or clone with fetch-depth: 0)",
            )
        raise UsageError(
            f"git does not know {ref!r}",
            hint=f"fetch it first (git fetch origin {branch}) or name another ref",
        )
    try:
        bases = repo.merge_base(target, "HEAD")
        return str(bases[0].hexsha) if bases else target
    except (git.GitCommandError, ValueError):
        return target


def _is_shallow(repo: git.Repo) -> bool:
    try:
        return str(repo.git.rev_parse("--is-shallow-repository")).strip() == "true"
    except git.GitCommandError:
        return False


_HUNK = re.compile(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@")


def changed_lines(root: Path, ref: str) -> dict[str, frozenset[int] | None]:
    """Lines (1-based, in the working tree) that a pull request against `ref` added or changed,
    by path relative to `root`; None for a file that is new as a whole (untracked too)."""
    repo = open_repo(root)
    base = _merge_base(repo, ref)
    top = Path(repo.working_tree_dir or root)
    found: dict[str, set[int] | None] = {
        name: None for name in repo.git.ls_files("--others", "--exclude-standard").splitlines()
    }
    diff = repo.git.diff("-U0", "--no-renames", "--no-color", "--no-ext-diff", base)
    path: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:].removesuffix("\t")  # git adds a tab after names with spaces
            path = name[2:] if name.startswith("b/") else None
            if path is not None:
                found.setdefault(path, set())
        elif path is not None and (hunk := _HUNK.match(line)):
            lines = found[path]
            if lines is not None:
                start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
                lines.update(range(start, start + count))
    out: dict[str, frozenset[int] | None] = {}
    for name, lines in found.items():
        for rel in _under(root, top, [name]):
            out[rel] = None if lines is None else frozenset(lines)
    return out


def _under(root: Path, top: Path, names: list[str]) -> frozenset[str]:
    """Git's paths (relative to the work tree `top`) relative to `root`; others left out."""
    root, top = root.resolve(), top.resolve()
    out = set()
    for name in names:
        try:
            out.add((top / name).relative_to(root).as_posix())
        except ValueError:
            continue
    return frozenset(out)


def diff_paths(root: Path, base: str) -> set[str] | None:
    """Paths (relative to `root`) added, changed or deleted between commit `base` and the working
    tree, untracked files included; None when the repository does not know `base` (a
    force-push or a shallow clone), so the caller must look at everything."""
    repo = _repo(root)
    if repo is None or resolve(repo, base) is None:
        return None
    try:
        names = repo.git.diff("--name-only", "--no-renames", base).splitlines()
        names += repo.git.ls_files("--others", "--exclude-standard").splitlines()
    except git.GitCommandError:
        return None
    return set(_under(root, Path(repo.working_tree_dir or root), names))


def is_dirty(root: Path) -> bool:
    repo = _repo(root)
    return repo is not None and bool(repo.is_dirty(untracked_files=True))


def _commit_tree(root: Path, commit: str) -> tuple[str, Path, str] | None:
    """`commit`'s full id, the work tree's top and `root`'s path in it (`""` or `"dir/"`);
    None when `root` is not in a repository that knows `commit`."""
    repo = _repo(root)
    if repo is None:
        return None
    sha = resolve(repo, f"{commit}^{{commit}}")
    if sha is None:
        return None
    top = Path(repo.working_tree_dir or root).resolve()
    try:
        prefix = root.resolve().relative_to(top).as_posix()
    except ValueError:
        return None
    return sha, top, "" if prefix == "." else prefix + "/"


def files_at(root: Path, commit: str, paths: Sequence[str]) -> dict[str, bytes | None] | None:
    """The bytes of each of `paths` (relative to `root`) at `commit`, None for a path the
    commit does not hold; None for all when the repository does not know `commit`.

    Read from git's object store in one `git cat-file --batch`, never from the working tree.
    """
    found = _commit_tree(root, commit)
    if found is None:
        return None
    sha, top, prefix = found
    wanted = [p for p in paths if "\n" not in p]
    out: dict[str, bytes | None] = {p: None for p in paths}
    if not wanted:
        return out
    request = "".join(f"{sha}:{prefix}{p}\n" for p in wanted).encode("utf-8")
    done = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=top, input=request, capture_output=True, check=False
    )
    if done.returncode != 0:
        return None
    data = done.stdout
    at = 0
    for path in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            out[path] = data[at : at + size]
            at += size + 1
        elif len(header) == 3:
            at += int(header[2]) + 1
    return out


def paths_containing(root: Path, commit: str, needle: str, under: str) -> list[str] | None:
    """Paths (relative to `root`) under folder `under` at `commit` whose bytes contain `needle`.

    One `git grep` over the commit's tree (never the working tree); None when the repository
    does not know `commit`. Used to look for an item by its id anywhere in a commit.
    """
    found = _commit_tree(root, commit)
    if found is None:
        return None
    sha, top, prefix = found
    done = subprocess.run(
        ["git", "grep", "-l", "-z", "-F", "-e", needle, sha, "--", f"{prefix}{under}"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: no match
        return None
    out: list[str] = []
    for raw in done.stdout.split(b"\0"):
        if not raw:
            continue
        path = raw.decode("utf-8", "surrogateescape").split(":", 1)[1]
        if path.startswith(prefix):
            out.append(path[len(prefix) :])
    return out
