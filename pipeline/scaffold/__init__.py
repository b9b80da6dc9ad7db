"""A new content repository, ready to lint and sync: what `kbsync init` writes.

The files come from `template/` (package data, copied with a few markers filled in): example
content, a rollout, the starter wording style and facts, kbsync.toml, the CI pipeline (GitHub's two
workflows, or with `ci="gitlab"` a `.gitlab-ci.yml` from `variants/`) and a README for the
writers. A path part spelled `dot-x` is written as `.x`, because package data
does not carry hidden folders reliably. Nothing here prints: the CLI reports the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from pipeline import __version__
from pipeline.errors import UsageError

TEMPLATE = "template"
VARIANTS = "variants"
DOT_PREFIX = "dot-"
CI_SYSTEMS = ("github", "gitlab")
GITLAB_CI = ".gitlab-ci.yml"
_CI_README = {
    "github": """\
- `.github/workflows/`: `content-pr.yml` lints and plans every pull request; `content-release.yml`
  syncs staging, checks it, then syncs production after approval of the `production` environment
  (create it under Settings → Environments with required reviewers).""",
    "gitlab": """\
- `.gitlab-ci.yml`: merge requests get lint findings (Code Quality widget and test report) and a
  plan comment; the default branch syncs staging, checks it, then syncs production when someone
  starts that manual job (protect the `production` environment to choose who). It needs the CI/CD
  variables `KBSYNC_STAGING_API_KEY`, `KBSYNC_PROD_API_KEY` and `KBSYNC_GITLAB_TOKEN`.""",
}
GITIGNORE = """\
# kbsync's cache, local sandbox database and file state store.
.kbsync/
# Reports written by CI runs.
kbsync.sarif
gl-code-quality-report.json
kbsync-junit.xml
plan.md
kbsync-metrics-*.json
"""


@dataclass(frozen=True)
class ScaffoldOptions:
    """What to fill in: the review date of the examples and how CI and pre-commit get kbsync."""

    today: dt.date
    kbsync_requirement: str = f"kbsync=={__version__}"
    """The `pip install` argument the workflows and the README use."""
    hook_repo: str | None = None
    """kbsync's git URL for pre-commit's shared hook; None: a local hook using installed kbsync."""
    force: bool = False
    ci: str = "github"
    """Which CI pipeline to write: `github` (two workflows) or `gitlab` (`.gitlab-ci.yml`)."""


@dataclass(frozen=True)
class ScaffoldResult:
    root: Path
    written: tuple[str, ...]
    """Every file written, relative to `root` (POSIX paths, sorted)."""
    overwritten: tuple[str, ...]


def scaffold_files(options: ScaffoldOptions) -> dict[str, str]:
    """Every file of a new repository: relative POSIX path → text."""
    if options.ci not in CI_SYSTEMS:
        raise UsageError(f"unknown CI system {options.ci!r} (use github or gitlab)")
    markers = {
        "@CI_README@": _CI_README[options.ci],
        "@TODAY@": options.today.isoformat(),
        "@KBSYNC_REQUIREMENT@": _shell_word(options.kbsync_requirement),
        "@KBSYNC_VERSION@": __version__,
        "@KBSYNC_HOOK_REPO@": options.hook_repo or "",
    }
    root = resources.files(__package__ or "pipeline.scaffold")
    files = {str(rel): _fill(node.read_text(encoding="utf-8"), markers)
             for rel, node in _walk(root / TEMPLATE, PurePosixPath())}  # fmt: skip
    if options.ci == "gitlab":
        files = {rel: text for rel, text in files.items() if not rel.startswith(".github/")}
        files[GITLAB_CI] = _fill((root / VARIANTS / "gitlab-ci.yml").read_text("utf-8"), markers)
    variant = "pre-commit-remote.yaml" if options.hook_repo else "pre-commit-local.yaml"
    pre_commit = (root / VARIANTS / variant).read_text(encoding="utf-8")
    files[".pre-commit-config.yaml"] = _fill(pre_commit, markers)
    files[".gitignore"] = GITIGNORE
    return dict(sorted(files.items()))


def scaffold(root: Path, options: ScaffoldOptions) -> ScaffoldResult:
    """Write the new repository under `root`; existing files only with `force`."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    files = scaffold_files(options)
    existing = [rel for rel in files if (root / rel).exists()]
    if existing and not options.force:
        listing = "\n".join(f"  {rel}" for rel in existing)
        raise UsageError(
            f"{root} already has {len(existing)} of the files kbsync init writes:\n{listing}",
            hint="pass --force to overwrite them, or choose an empty folder",
        )
    for rel, text in files.items():
        path = root / rel
        if path.is_dir():
            raise UsageError(f"{path} is a folder where kbsync init writes a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return ScaffoldResult(root=root, written=tuple(files), overwritten=tuple(existing))


def _walk(node: Traversable, rel: PurePosixPath) -> Iterator[tuple[PurePosixPath, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = child.name
        if name == "__pycache__":
            continue
        if name.startswith(DOT_PREFIX):
            name = "." + name[len(DOT_PREFIX) :]
        if child.is_dir():
            yield from _walk(child, rel / name)
        else:
            yield rel / name, child


def _fill(text: str, markers: dict[str, str]) -> str:
    for marker, value in markers.items():
        text = text.replace(marker, value)
    return text


def _shell_word(value: str) -> str:
    """Quote a requirement for a `run:` line when it holds shell-special characters."""
    if all(c.isalnum() or c in "._-=/:@+" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
