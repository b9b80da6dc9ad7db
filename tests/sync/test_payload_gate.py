"""The payload gate: what leaves the machine is what was checked (issue 12, item 1).

Secrets and card numbers split by Markdown pass `kbsync lint` (it reads the source), and the
normaliser joins them again. `kbsync plan` and `kbsync sync` check the exact text each item
would send: a finding blocks that item (the others still sync), is reported masked on the
source line, and nothing of the item reaches the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.sandbox import Sandbox
from tests.helpers import commit_all, doc, write_repo

CONFIG = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_ready_delay = 0.0

[environments.local.sites.s_local]
audiences = ["public"]
"""
ROLLOUT = """\
batches:
  - id: core
    include: ["docs/**"]
    environments: [local]
"""

GITHUB = "ghp_9gK3lM0nO4qR6sT8uV0wX2yZ4aB6cD8eF0gH2"
AWS = "AKIAZQ7WERTY5UIOP2XM"
CARD = "4556737586899855"

SPLIT = {
    "github": ("Log in with\nghp_9gK3lM0nO4**qR6sT8uV0wX2yZ4aB6cD8eF0gH**2 today.", GITHUB),
    "aws": ("The key id is `AKIA`ZQ7WERTY5UIOP2XM for the bucket.", AWS),
    "card": ("Charge 4556<span>7375</span>8689<span>9855</span> for the order.", CARD),
    "shortcode": ("Log in with ghp_9gK3lM0nO4{{< zwsp >}}qR6sT8uV0wX2yZ4aB6cD8eF0gH2.", GITHUB),
}
"""name → (body, the secret the normaliser would join)."""


Run = Callable[..., Result]


@pytest.fixture
def kb(monkeypatch: pytest.MonkeyPatch) -> Run:
    """`kb(root, "sync", "--yes")`: kbsync run in `root`."""
    monkeypatch.setenv("KBSYNC_TODAY", "2026-11-23")

    def invoke(root: Path, *args: str) -> Result:
        monkeypatch.chdir(root)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def make_repo(tmp_path: Path, bodies: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {
        "content/rollout.yaml": ROLLOUT,
        "content/docs/lockers.md": doc("docs.lockers", "Lockers", "Lockers open at 7 am."),
    }
    for name, body in bodies.items():
        files[f"content/docs/{name}.md"] = doc(f"docs.{name}", f"About {name}", body)
    root = write_repo(tmp_path / "repo", files, config=CONFIG)
    (root / ".gitignore").write_text(".kbsync/\nplan.json\n")
    commit_all(root, "content")
    return root


def stored(root: Path) -> list[dict[str, object]]:
    env = load_settings(root).environment("local")
    with Sandbox(root / env.sandbox_db) as box:
        return box.documents("s_local")


def kbsync_bytes(root: Path) -> bytes:
    """Every byte kbsync and the sandbox wrote (state, journal, the sandbox's database)."""
    return b"".join(p.read_bytes() for p in sorted((root / ".kbsync").rglob("*")) if p.is_file())


@pytest.mark.parametrize("name", sorted(SPLIT))
def test_a_secret_split_by_markup_passes_lint_but_never_reaches_the_site(
    tmp_path: Path, kb: Run, name: str
) -> None:
    body, secret = SPLIT[name]
    root = make_repo(tmp_path, {name: body})
    assert kb(root, "lint", "--no-cache").exit_code == 0  # lint reads the source: clean

    result = kb(root, "sync", "--yes")

    assert result.exit_code == 1, result.output
    assert f"blocked docs.{name}:" in result.stdout
    assert f"content/docs/{name}.md:" in result.stdout
    assert secret not in result.output
    titles = sorted(str(d["title"]) for d in stored(root))
    assert titles == ["Lockers"]  # the other item synced; the blocked one did not
    assert secret.encode() not in kbsync_bytes(root)


def test_the_finding_names_the_source_line_masked(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"github": SPLIT["github"][0]})
    result = kb(root, "plan", "--offline")
    assert result.exit_code == 1
    # The token is on the body's second line: line 10 of the file (6 lines of frontmatter, the
    # heading, a blank, then "Log in with").
    assert (
        "    content/docs/github.md:10: secrets.vcs-token: GitHub token (ghp_…gH2) in the text "
        "kbsync sends for this item (Markdown removed): revoke it in the code host's settings, "
        "then remove it from the file\n"
    ) in result.stdout
    assert "0 to create" not in result.stdout  # lockers is still planned
    assert "1 to create" in result.stdout and "1 blocked" in result.stdout


def test_a_blocked_item_stays_blocked_until_fixed_then_syncs(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"aws": SPLIT["aws"][0]})
    assert kb(root, "sync", "--yes").exit_code == 1
    again = kb(root, "sync", "--yes")  # the state did not move past the blocked file
    assert again.exit_code == 1 and "blocked docs.aws" in again.stdout
    (root / "content/docs/aws.md").write_text(doc("docs.aws", "About aws", "Ask the team."))
    commit_all(root, "remove the key")
    fixed = kb(root, "sync", "--yes")
    assert fixed.exit_code == 0, fixed.output
    assert sorted(str(d["title"]) for d in stored(root)) == ["About aws", "Lockers"]


def test_an_item_already_on_the_site_is_kept_not_deleted_when_blocked(
    tmp_path: Path, kb: Run
) -> None:
    root = make_repo(tmp_path, {"card": "Charge the card on file."})
    assert kb(root, "sync", "--yes").exit_code == 0
    (root / "content/docs/card.md").write_text(doc("docs.card", "About card", SPLIT["card"][0]))
    commit_all(root, "paste a card")
    result = kb(root, "sync", "--yes")
    assert result.exit_code == 1
    documents = {str(d["title"]): d for d in stored(root)}
    assert sorted(documents) == ["About card", "Lockers"]
    assert "Charge the card on file." in str(documents["About card"]["content"])
    assert CARD.encode() not in kbsync_bytes(root)


def test_suppressions_and_allow_lists_apply_to_the_payload_too(tmp_path: Path, kb: Run) -> None:
    suppressed = "<!-- kbsync-disable-next-line secrets.cloud-key -->\n" + SPLIT["aws"][0]
    root = make_repo(tmp_path, {"aws": suppressed, "github": SPLIT["github"][0]})
    config = root / "kbsync.toml"
    config.write_text(config.read_text() + f'\n[lint.secrets]\nallow = ["{GITHUB}"]\n')
    commit_all(root, "accept both")
    result = kb(root, "sync", "--yes")
    assert result.exit_code == 0, result.output
    assert len(stored(root)) == 3


def test_a_plan_file_never_holds_a_blocked_payload(tmp_path: Path, kb: Run) -> None:
    root = make_repo(tmp_path, {"github": SPLIT["github"][0]})
    out = root / "plan.json"
    result = kb(root, "plan", "--offline", "--out", str(out))
    assert result.exit_code == 1
    data = json.loads(out.read_text())
    assert sorted(data["payloads"]) == ["docs.lockers"]
    assert [b["id"] for b in data["blocked"]] == ["docs.github"]
    assert data["blocked"][0]["findings"][0]["rule"] == "secrets.vcs-token"
    assert GITHUB not in out.read_text()


def test_a_name_split_by_tags_is_found_by_the_model_on_the_payload(tmp_path: Path, kb: Run) -> None:
    body = "The series is by our customer Mi<span>ke</span> Neu<b>megen</b>, who said it was fine."
    root = make_repo(tmp_path, {"credits": body})
    assert kb(root, "lint", "--no-cache").exit_code == 0
    result = kb(root, "plan", "--offline")
    assert result.exit_code == 1
    assert (
        "content/docs/credits.md:9: pii.person: name of a person 'M*** N*******'" in result.stdout
    )
    assert "Neumegen" not in result.output
