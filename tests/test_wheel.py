"""The built wheel works on its own: installed into a fresh venv, run from outside the source tree.

Offline, so the new venv cannot download kbsync's dependencies. It gets them by sight instead: a
`.pth` file puts this venv's site-packages on its path (a path named in a `.pth` file is not
itself scanned for `.pth` files, so this checkout's editable install stays invisible), and the
wheel is installed with `--no-deps --no-index`. The test then checks that `pipeline` is imported
from the new venv, not from the checkout, so the templates and rule files come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pipeline import __version__

REPO = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy of the sources, so the checkout gets no build/ or egg-info changes."""
    import setuptools

    major = int(setuptools.__version__.split(".")[0])
    if major < 77:  # pyproject's [build-system] needs it; --no-isolation uses this venv's
        pytest.fail(
            f"setuptools {setuptools.__version__} cannot build kbsync offline: "
            "install setuptools>=77 into the venv (it belongs in the dev extra)"
        )
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "pipeline", src / "pipeline", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    dist = work / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, src, cwd=work)
    (built,) = dist.glob("kbsync-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_the_package_data(wheel: Path) -> None:
    assert wheel.name == f"kbsync-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "pipeline/py.typed",
        "pipeline/scaffold/template/dot-github/workflows/content-pr.yml",
        "pipeline/scaffold/template/dot-github/workflows/content-release.yml",
        "pipeline/scaffold/template/content/rollout.yaml",
        "pipeline/scaffold/template/rules/Kbsync/Terms.yml",
        "pipeline/scaffold/template/kbsync.toml",
        "pipeline/scaffold/template/README.md",
        "pipeline/scaffold/variants/pre-commit-local.yaml",
    ):
        assert expected in names, expected
    entry_points = zipfile.ZipFile(wheel).read(f"kbsync-{__version__}.dist-info/entry_points.txt")
    assert b"kbsync = pipeline.cli:main" in entry_points


@pytest.mark.slow
def test_the_installed_wheel_scaffolds_and_lints_outside_the_source_tree(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    new_site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    (new_site / "kbsync-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel, cwd=tmp_path)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    kbsync = venv / "bin" / "kbsync"

    imported_from = run(python, "-c", "import pipeline; print(pipeline.__file__)", cwd=outside)
    assert Path(imported_from.strip()).is_relative_to(new_site)

    assert run(kbsync, "--version", cwd=outside, env=env) == f"kbsync, version {__version__}\n"
    run(kbsync, "init", "help-content", cwd=outside, env=env)
    repo = outside / "help-content"
    assert (repo / ".github/workflows/content-release.yml").is_file()
    lint = run(kbsync, "lint", "--no-cache", cwd=repo, env=env)
    assert lint == "4 files: 0 errors, 0 warnings, 0 suggestions\n"
    synced = run(kbsync, "sync", "--env", "local", "--yes", cwd=repo, env=env)
    assert synced.startswith("local/s_local: 4 created")
