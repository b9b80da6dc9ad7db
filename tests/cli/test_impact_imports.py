"""`kbsync impact` asks nothing over the network: importing it loads no HTTP client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_impact_command_loads_neither_httpx_nor_the_api_client() -> None:
    probe = (
        "import sys, pipeline.cli.impact_cmd; "
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('pipeline.api')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
