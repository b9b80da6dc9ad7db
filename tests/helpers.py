"""Small builders for tests: content repositories on disk, real git."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from pipeline.config import Settings, load_settings

DOC = """\
---
id: {id}
title: {title}
status: approved
reviewed: 2026-10-01
---
# {title}

{body}
"""

QA = """\
---
id: {id}
question: {question}
status: approved
reviewed: 2026-10-01
---
{body}
"""


def doc(id: str, title: str = "A title", body: str = "Some text.") -> str:
    return DOC.format(id=id, title=title, body=body)


def qa(id: str, question: str = "A question?", body: str = "An answer.") -> str:
    return QA.format(id=id, question=question, body=body)


ROLLOUT_ALL = """\
batches:
  - id: all
    include: ["**"]
    environments: [local]
"""
"""The rollout `write_repo` adds to a repository with content and no rollout of its own."""


def write_repo(
    root: Path, files: dict[str, str | bytes], config: str | None = None, *, rollout: bool = True
) -> Path:
    """Write `files` (paths relative to `root`) and an optional kbsync.toml; with `rollout`, a
    `content/rollout.yaml` approving everything for `local` unless `files` bring one (lint,
    plan and sync refuse a repository without it)."""
    root.mkdir(parents=True, exist_ok=True)
    if rollout and not any(rel.endswith("rollout.yaml") for rel in files):
        path = root / "content" / "rollout.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ROLLOUT_ALL, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if config is not None:
        (root / "kbsync.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


def settings_for(root: Path) -> Settings:
    return load_settings(root)


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity; returns stdout."""
    result = subprocess.run(
        ["git", "-c", "user.name=kbsync tests", "-c", "user.email=tests@example.com",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip()


def commit_all(root: Path, message: str = "change") -> str:
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, "--allow-empty")
    return git(root, "rev-parse", "HEAD")
