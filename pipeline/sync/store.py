"""Where sync logs live: a file per target, or a git ref per target. Both compare-and-swap.

- :class:`FileStateStore` (default): `.kbsync/state/<env>/<site>.json`, written atomically
  (temporary file, fsync, rename) under an exclusive lock.
- :class:`GitStateStore`: the state as `state.json` in a commit on `refs/kbsync/<env>/<site>`
  of the content repository, pushed to a configured remote so every CI runner shares it; `git
  log` of the ref is the deploy history. The swap is `git push --force-with-lease` on the remote
  (and `git update-ref <new> <old>` locally).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import git

from pipeline.ids import SAFE_ID_RULE, contained, is_safe_id, shown
from pipeline.sync.state import (
    StaleStateError,
    StateError,
    TargetState,
    not_a_state,
    now_iso,
)
from pipeline.targets import Target

_ZERO = "0" * 40


class StateStore(Protocol):
    """Load a target's state; save it only if nobody wrote since (compare-and-swap)."""

    def load(self, target: Target) -> TargetState: ...

    def save(self, state: TargetState, message: str = "") -> TargetState:
        """Write `state` if the stored revision is still `state.revision`; return it bumped."""
        ...

    def describe(self, target: Target) -> str: ...


class FileStateStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, target: Target) -> Path:
        """`<folder>/<env>/<site>.json`, refused unless both ids are safe and the path, links
        resolved, stays under the folder (a site id is never a way out of `.kbsync/`)."""
        _check_target(target)
        path = self.folder / target.environment / f"{target.site}.json"
        if not contained(self.folder, path):
            raise StateError(
                f"{path}: the state file of {target.key} resolves outside {self.folder}",
                hint=f"remove the symbolic link under {self.folder}, which kbsync does not follow",
            )
        return path

    def describe(self, target: Target) -> str:
        return str(self.path(target))

    def load(self, target: Target) -> TargetState:
        path = self.path(target)
        if not path.exists():
            return TargetState(target=target)
        return self._read(path, target)

    def _read(self, path: Path, target: Target) -> TargetState:
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            raise StateError(f"{path}: cannot read the sync state: {exc.strerror}") from None
        except (ValueError, RecursionError) as exc:
            why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
            raise not_a_state(str(path), why) from None
        state = TargetState.from_json(data, str(path))
        if state.target.environment != target.environment or state.target.site != target.site:
            raise StateError(f"{path}: holds the state of {state.target.key}, not {target.key}")
        return state

    @contextlib.contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        lock_path = path.with_suffix(".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(lock_path, "a+")  # noqa: SIM115 - closed by the `with` below
        except OSError as exc:
            raise _cannot_write(lock_path, exc) from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def save(self, state: TargetState, message: str = "") -> TargetState:
        path = self.path(state.target)
        with self._locked(path):
            current = self._read(path, state.target).revision if path.exists() else 0
            if current != state.revision:
                raise StaleStateError(
                    f"the state of {state.target.key} changed while this run held revision "
                    f"{state.revision} (now {current}): another sync wrote it",
                    hint="re-run: kbsync re-plans from the new state",
                )
            state.revision += 1
            state.updated_at = now_iso()
            try:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            except OSError as exc:
                state.revision -= 1
                raise _cannot_write(path, exc) from None
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(state.to_json(), handle, indent=1, ensure_ascii=False)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException as exc:
                state.revision -= 1
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                if isinstance(exc, OSError):
                    raise _cannot_write(path, exc) from None
                raise
        return state


def _cannot_write(path: Path, exc: OSError) -> StateError:
    return StateError(
        f"{path}: cannot write the sync state: {exc.strerror or exc}",
        hint="make the folder writable, and move aside whatever is in the way "
        "(a file where a folder belongs, or a folder where a file belongs)",
    )


def _check_target(target: Target) -> None:
    for what, value in (("environment", target.environment), ("site", target.site)):
        if not is_safe_id(value):
            raise StateError(
                f"{what} id {shown(value)} of {target.key!r} is not a safe identifier "
                f"({SAFE_ID_RULE} characters): it would name a path outside the state store",
                hint="rename it in kbsync.toml",
            )


class GitStateStore:
    def __init__(self, repo_root: Path, remote: str | None = None) -> None:
        try:
            self.repo = git.Repo(repo_root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise StateError(
                f"{repo_root} is not a git repository: the git state store needs one",
                hint="use state.store = 'file', or run from the content repository",
            ) from None
        self.remote = remote

    @staticmethod
    def ref(target: Target) -> str:
        _check_target(target)
        return f"refs/kbsync/{target.environment}/{target.site}"

    def describe(self, target: Target) -> str:
        where = f" on {self.remote}" if self.remote else ""
        return f"git ref {self.ref(target)}{where}"

    def _fetch(self, ref: str) -> None:
        if not self.remote:
            return
        try:
            self.repo.git.fetch(self.remote, f"+{ref}:{ref}", "--quiet")
        except git.GitCommandError as exc:
            if "couldn't find remote ref" in str(exc).lower():
                with contextlib.suppress(git.GitCommandError):
                    self.repo.git.update_ref("-d", ref)
                return
            raise StateError(
                f"cannot fetch {ref} from {self.remote}: {exc.stderr.strip()}"
            ) from None

    def _head(self, ref: str) -> str | None:
        try:
            return str(self.repo.git.rev_parse("--verify", "--quiet", ref + "^{commit}"))
        except git.GitCommandError:
            return None

    def load(self, target: Target) -> TargetState:
        ref = self.ref(target)
        self._fetch(ref)
        head = self._head(ref)
        if head is None:
            return TargetState(target=target)
        try:
            text = self.repo.git.show(f"{head}:state.json")
        except git.GitCommandError as exc:
            raise StateError(f"{ref}: cannot read state.json: {exc.stderr.strip()}") from None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise not_a_state(f"{ref}:state.json", "not valid JSON") from None
        state = TargetState.from_json(data, f"{ref}:state.json")
        state.etag = head
        return state

    def save(self, state: TargetState, message: str = "") -> TargetState:
        ref = self.ref(state.target)
        old = state.etag
        state.revision += 1
        state.updated_at = now_iso()
        try:
            new = self._commit(state, old, message or f"kbsync state {state.target.key}")
            if self.remote:
                try:
                    self.repo.git.push(
                        self.remote, f"{new}:{ref}", f"--force-with-lease={ref}:{old}", "--quiet"
                    )
                except git.GitCommandError as exc:
                    raise StaleStateError(
                        f"the state of {state.target.key} on {self.remote} moved since this run "
                        "read it: another sync wrote it",
                        hint="re-run: kbsync re-plans from the new state",
                    ) from exc
            try:
                self.repo.git.update_ref(ref, new, old or _ZERO)
            except git.GitCommandError as exc:
                raise StaleStateError(
                    f"the state ref {ref} moved since this run read it: another sync wrote it",
                    hint="re-run: kbsync re-plans from the new state",
                ) from exc
        except BaseException:
            state.revision -= 1
            raise
        state.etag = new
        return state

    def _commit(self, state: TargetState, parent: str, message: str) -> str:
        blob = self._git_input(
            ["hash-object", "-w", "--stdin"], json.dumps(state.to_json(), indent=1)
        )
        tree = self._git_input(["mktree"], f"100644 blob {blob}\tstate.json\n")
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args += ["-p", parent]
        return self._git_input(args, "")

    def _git_input(self, args: list[str], text: str) -> str:
        """Run git with `text` on its standard input (plumbing commands GitPython wraps poorly)."""
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "kbsync",
            "GIT_AUTHOR_EMAIL": "kbsync@localhost",
            "GIT_COMMITTER_NAME": "kbsync",
            "GIT_COMMITTER_EMAIL": "kbsync@localhost",
        }
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.repo.working_tree_dir or self.repo.git_dir,
                input=text.encode("utf-8"),
                capture_output=True,
                check=True,
                env=env,
            )
        except subprocess.CalledProcessError as exc:
            raise StateError(f"git {args[0]} failed: {exc.stderr.decode().strip()}") from None
        return done.stdout.decode().strip()
