"""No traceback, ever: generated frontmatter, Markdown, kbsync.toml, rollout.yaml and state files
through the CLI (lint, plan, sync against the in-process sandbox) end in exit 0, 1 or 2 with
kbsync's own message.

Slow suite, fixed budget: `derandomize=True` makes every run draw the same examples, so a
failure here is reproducible and the run time is stable (see `BUDGET`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from tests.helpers import ROLLOUT_ALL, doc

pytestmark = pytest.mark.slow

BUDGET = {"content": 300, "config": 300, "rollout": 200, "state": 200}
"""Examples per test (1,000 in all): about 115 s wall on the shared 2-core machine."""


LOCAL = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_ready_delay = 0.0

[environments.local.sites.s_local]
"""


def fuzz_settings(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ----------------------------------------------------------------------------- strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["id", "title", "question", "alternates", "status", "audience", "batch", "reviewed",
          "expires", "category", "owner", "tags", "sites"]  # fmt: skip
frontmatter = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=8)
MARKUP = ["#", "*", "**", "`", "```", "> ", "- ", "1. ", "|", "<span>", "</span>", "<!--", "-->",
          "[a](b)", "![x](y)", "\n", "\n\n", "    ", "---", "{{< x >}}", "\\", "&amp;", "\t", "\r\n"]  # fmt: skip
DEEP = ["> ", "- ", "  - ", "* ", "[", "{", "<div>", "**", "`", "1. ", "#", "|", "(a|a)+$ "]
deep = st.tuples(st.sampled_from(DEEP), st.integers(100, 3000), st.text(max_size=20)).map(
    lambda t: t[0] * t[1] + t[2]
)
"""One piece of markup repeated hundreds to thousands of times: nesting beyond parser limits."""
markdown = st.lists(st.sampled_from(MARKUP) | st.text(max_size=20) | deep, max_size=40).map("".join)


@st.composite
def content_file(draw: st.DrawFn) -> bytes:
    """A content file: valid-looking frontmatter with generated values, or raw text/bytes."""
    kind = draw(st.sampled_from(["yaml", "raw-front", "deep-front", "text", "bytes"]))
    body = draw(markdown)
    if kind == "yaml":
        meta = {"id": "docs.a", "title": "A", "status": "approved", "reviewed": "2026-10-01"}
        meta.update(draw(frontmatter))
        try:
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        except yaml.YAMLError:  # pragma: no cover - a value YAML cannot dump
            front = "id: docs.a\n"
        return f"---\n{front}---\n{body}".encode()
    if kind == "deep-front":
        return f"---\nid: {draw(deep)}\ntitle: {draw(deep)}\n---\n{body}".encode()
    if kind == "raw-front":
        return f"---\n{draw(st.text(max_size=80))}\n---\n{body}".encode(errors="surrogatepass")
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", errors="surrogatepass")
    return draw(st.binary(max_size=200))


TOML_KEYS = {
    "": ["content_dir", "state_dir"],
    "lint": ["rules_dir", "max_review_age_days", "select", "ignore", "internal_markers"],
    "lint.pii": ["thresholds", "allow", "entities"],
    "lint.secrets": ["entropy_threshold", "allow"],
    "lint.conflicts": ["question_similarity", "question_replaced_words"],
    "environments.local": ["tenant_id", "base_url", "api_key_env", "promote_from"],
    "environments.local.http": ["max_attempts", "concurrency", "read_timeout", "backoff_max"],
    "environments.local.rollout": ["max_changes", "mass_delete_ratio", "smoke_window_hours"],
    "environments.local.async": ["poll_interval", "deadline", "enabled"],
    "environments.local.state": ["store", "remote"],
}


def _toml_float(value: float) -> str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(value)


toml_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats().map(_toml_float),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(max_size=30).map(json.dumps),
    st.lists(st.text(max_size=8).map(json.dumps), max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    st.sampled_from(['"../../x"', '"sandbox:"', '""', '"."', "{}", "{PERSON = 2.0}", "[1, 2]"]),
)


@st.composite
def config_file(draw: st.DrawFn) -> bytes:
    """kbsync.toml: the local environment with generated settings, extra sites and tables,
    or raw text and bytes."""
    kind = draw(st.sampled_from(["settings", "settings", "sites", "deep", "text", "bytes"]))
    if kind == "deep":
        depth = draw(st.integers(50, 3000))
        return (LOCAL + "x = " + "[" * depth + "]" * depth + "\n").encode()
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", errors="surrogatepass")
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    lines = [LOCAL]
    if kind == "sites":
        for site in draw(st.lists(st.text(min_size=1, max_size=12), max_size=3)):
            lines.append(f"[environments.local.sites.{json.dumps(site)}]\n")
        for env in draw(st.lists(st.text(min_size=1, max_size=12), max_size=2)):
            lines.append(f'[environments.{json.dumps(env)}]\nbase_url = "sandbox:"\n')
    tables: dict[str, list[str]] = {}
    for _ in range(draw(st.integers(0, 5))):
        table = draw(st.sampled_from(sorted(TOML_KEYS)))
        key = draw(st.sampled_from(TOML_KEYS[table]))
        tables.setdefault(table, []).append(f"{key} = {draw(toml_values)}\n")
    top = tables.pop("", [])
    text = "".join(top) + "".join(lines)
    for table, entries in tables.items():
        text += f"[{table}]\n" + "".join(dict.fromkeys(entries))
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def rollout_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["batches", "batches", "yaml", "deep", "text"]))
    if kind == "deep":
        return draw(deep).encode()
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", errors="surrogatepass")
    if kind == "yaml":
        data: Any = draw(values)
    else:
        batch = {
            "id": draw(
                st.sampled_from(["all", "a..b", "../x", "", "x" * 70]) | st.text(max_size=8)
            ),
            "include": draw(st.sampled_from([["**"], [], "**", ["docs/**", 3]])),
            "environments": draw(st.sampled_from([["local"], ["nope"], [], ["../x"], "local"])),
        }
        extra = draw(
            st.dictionaries(
                st.sampled_from(["requires_eval", "description", "x"]), values, max_size=2
            )
        )
        data = {"batches": [batch | extra]}
    try:
        return yaml.safe_dump(data, allow_unicode=True).encode()
    except yaml.YAMLError:  # pragma: no cover
        return b"batches: []\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=15,
)
STATE_KEYS = ["version", "target", "revision", "commit", "payload_format", "entries", "journal",
              "claim", "pause", "holds", "records", "updated_at"]  # fmt: skip


@st.composite
def state_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["state", "state", "json", "deep", "bytes"]))
    if kind == "deep":
        depth = draw(st.integers(100, 100_000))
        return b'{"version": 1, "records": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    data: dict[str, Any] = {
        "version": 1,
        "target": {"environment": "local", "site": "s_local"},
        "revision": 1,
        "entries": {},
    }
    for key in draw(st.lists(st.sampled_from(STATE_KEYS), max_size=4)):
        data[key] = draw(json_values)
    if draw(st.booleans()):
        data["entries"] = {"docs.a": draw(st.dictionaries(
            st.sampled_from(["doc_id", "hash", "status", "type", "title", "path", "batch"]),
            json_values, max_size=7))}  # fmt: skip
    return json.dumps(data).encode()


# ---------------------------------------------------------------------------------- runner


@contextmanager
def repository(files: dict[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kbsync-fuzz-") as folder:
        root = Path(folder)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        before = Path.cwd()
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(before)


def kbsync(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"kbsync {' '.join(args)} raised:\n{trace}\noutput:\n{result.output}")
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output, result.output
    return result


def base_files() -> dict[str, bytes]:
    return {
        "kbsync.toml": LOCAL.encode(),
        "content/rollout.yaml": ROLLOUT_ALL.encode(),
        "content/docs/a.md": doc("docs.a").encode(),
    }


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBSYNC_TODAY", "2026-11-23")


@fuzz_settings(BUDGET["content"])
@given(files=st.lists(content_file(), min_size=1, max_size=3))
def test_generated_content_never_raises(files: list[bytes]) -> None:
    tree = base_files() | {f"content/docs/f{i}.md": data for i, data in enumerate(files)}
    with repository(tree):
        kbsync("lint", "--no-cache")
        kbsync("plan")
        kbsync("sync", "--yes", "--skip-lint")


@fuzz_settings(BUDGET["config"])
@given(config=config_file())
def test_generated_config_never_raises(config: bytes) -> None:
    with repository(base_files() | {"kbsync.toml": config}):
        kbsync("plan")
        kbsync("pause", "--env", "local", "--reason", "fuzz")


@fuzz_settings(BUDGET["rollout"])
@given(rollout=rollout_file())
def test_generated_rollout_never_raises(rollout: bytes) -> None:
    with repository(base_files() | {"content/rollout.yaml": rollout}):
        kbsync("plan")


@fuzz_settings(BUDGET["state"])
@given(state=state_file())
def test_generated_state_never_raises(state: bytes) -> None:
    with repository(base_files() | {".kbsync/state/local/s_local.json": state}):
        kbsync("plan")
        kbsync("sync", "--yes", "--skip-lint")
        kbsync("resume", "--env", "local")
