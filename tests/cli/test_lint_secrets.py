"""`kbsync lint --select secrets`: one credential of every family, in every output format.

No planted value may appear in any output, whole or in part; every finding must be there,
masked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.lint.reporters import FORMATS
from tests.cli.conftest import Run
from tests.helpers import write_repo
from tests.lint.rules import secrets_samples as samples
from tests.lint.rules.secrets_samples import PLANTED

FRONT = "---\nid: docs.keys\ntitle: Keys\nstatus: approved\nreviewed: 2026-10-01\n---\n"
BODY_START = 7
KEY_LINE = BODY_START + len(PLANTED) + 2  # after the planted lines, a blank line and a fence
FOOTER = "-----END RSA PRIVATE KEY-----"

# (rule, line, column, end line, end column, masked form)
EXPECTED = sorted(
    [
        (p.rule, BODY_START + i, p.column, BODY_START + i, p.column + len(p.value), p.masked)
        for i, p in enumerate(PLANTED)
    ]
    + [("secrets.private-key", KEY_LINE, 1, KEY_LINE + 4, len(FOOTER) + 1, "oQ2z…Gwi")],
    key=lambda e: (e[1], e[2], e[0]),
)
SECRETS = [p.value for p in PLANTED] + [samples.PRIVATE_KEY, *samples.PEM_BODY]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    body = "\n".join(p.line for p in PLANTED)
    text = f"{FRONT}{body}\n\n```\n{samples.PRIVATE_KEY}\n```\n"
    return write_repo(tmp_path, {"content/docs/keys.md": text})


def assert_nothing_leaks(output: str) -> None:
    for value in SECRETS:
        assert value not in output
        middle = value[4:-3]  # what the masked form leaves out
        assert middle not in output, f"part of {value[:4]}… leaked"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_planted_value_reaches_any_format(
    repo: Path, run: Run, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = repo / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run(repo, "lint", "--select", "secrets", "--no-cache", "--format", fmt)
    assert result.exit_code == 1
    assert_nothing_leaks(result.output)
    assert summary.exists() == (fmt == "github")
    if fmt == "github":
        written = summary.read_text(encoding="utf-8")
        assert_nothing_leaks(written)
        assert all(f"({masked})" in written for *_, masked in EXPECTED)
    for *_, masked in EXPECTED:
        assert f"({masked})" in result.output


def test_json_lists_every_finding(repo: Path, run: Run) -> None:
    result = run(repo, "lint", "--select", "secrets", "--no-cache", "--format", "json")
    data = json.loads(result.output)
    got = [
        (f["rule"], f["line"], f["column"], f["end_line"], f["end_column"], f["severity"])
        for f in data["findings"]
    ]
    assert got == [(*e[:5], "error") for e in EXPECTED]
    assert data["summary"] == {
        "files": 1,
        "errors": len(EXPECTED),
        "warnings": 0,
        "suggestions": 0,
    }


def test_sarif_lists_every_finding(repo: Path, run: Run) -> None:
    result = run(repo, "lint", "--select", "secrets", "--no-cache", "--format", "sarif")
    (sarif_run,) = json.loads(result.output)["runs"]
    got = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in sarif_run["results"]
    ]
    assert got == [e[:3] for e in EXPECTED]
    documented = {rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]}
    assert {e[0] for e in EXPECTED} <= documented


def test_github_annotates_ten_errors_and_lists_the_rest(repo: Path, run: Run) -> None:
    result = run(repo, "lint", "--select", "secrets", "--no-cache", "--format", "github")
    lines = result.output.splitlines()
    assert len(EXPECTED) == 14 and len(lines) == 10 + 1 + 4
    for line, (rule, start, col, end, end_col, masked) in zip(lines[:10], EXPECTED, strict=False):
        assert line.startswith(
            f"::error file=content/docs/keys.md,line={start},col={col},endLine={end},"
            f"endColumn={end_col},title={rule}::"
        )
        assert f"({masked})" in line
    assert lines[10].startswith("::notice title=kbsync::4 more findings not annotated")
    for line, (rule, start, col, _, _, masked) in zip(lines[11:], EXPECTED[10:], strict=True):
        assert line.startswith(f"content/docs/keys.md:{start}:{col}: error: ")
        assert line.endswith(f"[{rule}]") and f"({masked})" in line


def test_text_report_exact(repo: Path, run: Run) -> None:
    result = run(repo, "lint", "--select", "secrets", "--no-cache")
    assert result.output == TEXT_REPORT


TEXT_REPORT = (
    "content/docs/keys.md\n"
    "  7:21   error      AWS access key ID (AKIA…96W): rotate it in the cloud console, then "
    "remove it from the file  secrets.cloud-key\n"
    "  8:25   error      AWS secret access key (aj+o…RXY): rotate it in the cloud console, then "
    "remove it from the file  secrets.cloud-key\n"
    "  9:12   error      Google API key (AIza…PYX): rotate it in the cloud console, then remove "
    "it from the file  secrets.cloud-key\n"
    "  10:19  error      Stripe live key (sk_l…GV2): roll it in the payment provider's dashboard, "
    "then remove it from the file  secrets.payment-key\n"
    "  11:21  error      GitHub token (ghp_…JJf): revoke it in the code host's settings, then "
    "remove it from the file  secrets.vcs-token\n"
    "  12:25  error      GitLab token (glpa…bBG): revoke it in the code host's settings, then "
    "remove it from the file  secrets.vcs-token\n"
    "  13:17  error      Slack token (xoxb…1tt): revoke or regenerate it in the app's settings, "
    "then remove it from the file  secrets.chat-token\n"
    "  14:43  error      Slack webhook URL (T0A1…xEF): revoke or regenerate it in the app's "
    "settings, then remove it from the file  secrets.chat-token\n"
    "  15:34  error      npm token (npm_…Rgd): revoke it in the service's dashboard, then remove "
    "it from the file  secrets.service-key\n"
    "  16:10  error      JSON Web Token (eyJh…V4n): revoke it or rotate the signing key, then "
    "remove it from the file  secrets.jwt\n"
    "  17:32  error      Bearer token (rKWC…xHM): revoke it, then write a placeholder such as "
    "<your-token>  secrets.bearer-token\n"
    "  18:26  error      password in a URL (U7d5…CHv): change the password, then remove it from "
    "the file  secrets.basic-auth\n"
    "  19:12  error      random-looking value of 'api_key' (a5TG…OjD): if it is a credential, "
    "rotate it and remove it from the file; if not, list it in [lint.secrets] allow  "
    "secrets.high-entropy\n"
    "  22:1   error      RSA private key (oQ2z…Gwi): replace the key pair, then remove the block "
    "from the file  secrets.private-key\n"
    "\n"
    "1 file: 14 errors, 0 warnings, 0 suggestions\n"
)
