"""What the benchmark scripts share: git in a throwaway repository, as a fixed author.

Each script runs as `python benchmarks/NAME.py`, so this folder is first on `sys.path`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(root: Path, *args: str) -> None:
    """`git ARGS` in `root`, quietly; a failure stops the benchmark."""
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )
