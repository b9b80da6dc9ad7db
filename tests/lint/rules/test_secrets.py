"""`secrets.*`: every family found at the value's exact place, masked; stand-ins left alone.

Simple cases are data in `cases/secrets.yml`; here are the provider formats (built from
fragments in :mod:`tests.lint.rules.secrets_samples`), the scanner's contracts and the config.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.lint.engine import LintOptions, run_lint
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.registry import CODE_RULES
from pipeline.lint.rules import secrets as secrets_rules
from pipeline.lint.secrets import scan_text
from pipeline.lint.secrets import scanner as scanner_module
from pipeline.lint.secrets.placeholders import is_placeholder, looks_random
from tests.helpers import settings_for, write_repo
from tests.lint.rules import secrets_samples as samples
from tests.lint.rules.secrets_samples import MORE_FORMATS, PLANTED, Format, Planted

FRONT = "---\nid: docs.a\ntitle: A\nstatus: approved\nreviewed: 2026-10-01\n---\n"


def lint(
    tmp_path: Path,
    files: dict[str, str],
    *,
    config: str | None = None,
    select: tuple[str, ...] = ("secrets",),
    jobs: int = 1,
) -> list[Finding]:
    root = write_repo(tmp_path / "repo", dict(files), config=config)
    options = LintOptions(select=select, use_cache=False, today=dt.date(2026, 11, 23), jobs=jobs)
    return run_lint(settings_for(root), options).findings


def where(findings: list[Finding]) -> list[tuple[str, int, int, int, int]]:
    return [(f.rule, f.line, f.column, f.end_line, f.end_column) for f in findings]


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: f"{p.rule}:{p.masked}")
def test_each_family_is_found_at_the_value(tmp_path: Path, planted: Planted) -> None:
    findings = lint(tmp_path, {"content/docs/a.md": f"{FRONT}Intro.\n{planted.line}\n"})
    end = planted.column + len(planted.value)
    assert where(findings) == [(planted.rule, 8, planted.column, 8, end)]
    assert findings[0].severity is Severity.ERROR
    assert f"({planted.masked})" in findings[0].message
    assert planted.value not in findings[0].message


@pytest.mark.parametrize("fmt", MORE_FORMATS, ids=lambda f: f.label)
def test_more_provider_formats(fmt: Format) -> None:
    text = f"Setup:\n{fmt.line}\n"
    (detection,) = scan_text(text, 3.5)
    start = text.index(fmt.value)
    assert (detection.family.value, detection.label) == (fmt.family, fmt.label)
    assert (detection.start, detection.end) == (start, start + len(fmt.value))


def test_private_key_block_is_one_finding_from_header_to_footer(tmp_path: Path) -> None:
    text = f"{FRONT}Our deploy key:\n\n```\n{samples.PRIVATE_KEY}\n```\n"
    findings = lint(tmp_path, {"content/docs/a.md": text})
    footer = "-----END RSA PRIVATE KEY-----"
    assert where(findings) == [("secrets.private-key", 10, 1, 14, len(footer) + 1)]
    assert findings[0].message.startswith("RSA private key (oQ2z…Gwi): replace the key pair")


def test_private_key_in_a_blockquote_and_encrypted_pkcs8(tmp_path: Path) -> None:
    quoted = "\n".join(f"> {line}" for line in samples.PRIVATE_KEY.splitlines())
    pkcs8 = samples.PRIVATE_KEY.replace("RSA PRIVATE", "ENCRYPTED PRIVATE")
    text = f"{FRONT}{quoted}\n\n{pkcs8}\n"
    findings = lint(tmp_path, {"content/docs/a.md": text}, select=("secrets.private-key",))
    assert [(f.line, f.column, f.message.split(" (")[0]) for f in findings] == [
        (7, 3, "RSA private key"),
        (13, 1, "ENCRYPTED private key"),
    ]


def test_openssh_key_with_its_zero_byte_runs_is_found(tmp_path: Path) -> None:
    block = samples.openssh_private_key()
    assert "AAAAAAAA" in block
    findings = lint(tmp_path, {"content/docs/a.md": f"{FRONT}```\n{block}\n```\n"})
    assert [(f.rule, f.line, f.end_line) for f in findings] == [
        ("secrets.private-key", 8, 8 + block.count("\n"))
    ]
    assert findings[0].message.startswith("OPENSSH private key (b3Bl…")


@pytest.mark.parametrize("version", [2, 3])
def test_putty_key_file_private_lines_are_found(tmp_path: Path, version: int) -> None:
    key_file = "\n".join(
        [
            f"PuTTY-User-Key-File-{version}: ssh-rsa",
            "Encryption: none",
            "Comment: deploy@acme",
            "Public-Lines: 1",
            "AAAAB3NzaC1yc2EAAAABJQAAAQEAr",
            "Private-Lines: 3",
            *samples.PEM_BODY,
            "Private-MAC: 4d2c1f0e9b8a7d6c5b4a39281706f5e4d3c2b1a0",
        ]
    )
    findings = lint(tmp_path, {"content/docs/a.md": f"{FRONT}```\n{key_file}\n```\n"})
    assert where(findings) == [("secrets.private-key", 8, 1, 17, 54)]
    assert findings[0].message.startswith("PuTTY private key (oQ2z…Gwi)")


@pytest.mark.parametrize(
    "body",
    [
        "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6zCn7xwvUcoeVBSpPCmB7M9l0\n...",
        "<paste your private key here>",
        "{{ .Values.privateKey }}",
        "MIIEpAIBAAKCAQEA",
        "",
        "\n".join(["MIIEpAIBAAKCAQEAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"] * 3),
        "\n".join(["QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"] * 3),
    ],
    ids=["elided", "placeholder", "template", "too-short", "empty", "masked", "not-random"],
)
def test_private_key_blocks_without_a_real_body_are_examples(tmp_path: Path, body: str) -> None:
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    assert lint(tmp_path, {"content/docs/a.md": f"{FRONT}```\n{block}\n```\n"}) == []


def test_frontmatter_code_comments_and_qa_entries_are_scanned(tmp_path: Path) -> None:
    token = samples.GITHUB_TOKEN
    doc = (
        "---\nid: docs.a\ntitle: A\n"
        f"deploy_token: {token}\n"
        "status: approved\nreviewed: 2026-10-01\n---\n"
        f"Inline `{token}` code.\n"
        f"```yaml\ntoken: {token}\n```\n"
        f"    GITHUB_TOKEN={token}\n"
        f"<!-- old: {token} -->\n"
    )
    qa = (
        "---\nid: qa.a\nquestion: How do I deploy?\nstatus: approved\n"
        f"reviewed: 2026-10-01\n---\nUse {token}.\n"
    )
    findings = lint(tmp_path, {"content/docs/a.md": doc, "content/qa/a.md": qa})
    assert [(f.path, f.line, f.column) for f in findings] == [
        ("content/docs/a.md", 4, 15),
        ("content/docs/a.md", 8, 9),
        ("content/docs/a.md", 10, 8),
        ("content/docs/a.md", 12, 18),
        ("content/docs/a.md", 13, 11),
        ("content/qa/a.md", 7, 5),
    ]
    assert {f.rule for f in findings} == {"secrets.vcs-token"}


def test_the_most_specific_family_wins_an_overlap(tmp_path: Path) -> None:
    text = (
        f"{FRONT}"
        f'curl -H "Authorization: Bearer {samples.GITHUB_TOKEN}" https://api.github.com\n'
        f'api_key = "{samples.AWS_KEY_ID}"\n'
        f"curl -H 'Authorization: Bearer {samples.JWT}'\n"
        f"https://ci:{samples.GITLAB_TOKEN}@gitlab.com/acme/kb.git\n"
    )
    findings = lint(tmp_path, {"content/docs/a.md": text})
    assert [(f.rule, f.line) for f in findings] == [
        ("secrets.vcs-token", 7),
        ("secrets.cloud-key", 8),
        ("secrets.jwt", 9),
        ("secrets.vcs-token", 10),
    ]


def test_a_format_inside_a_longer_word_is_not_a_key(tmp_path: Path) -> None:
    blob = f"data:image/png;base64,iVBORw0KGgo{samples.AWS_KEY_ID}xYz"
    assert lint(tmp_path, {"content/docs/a.md": f"{FRONT}![dot]({blob})\n"}) == []


def test_a_key_longer_than_the_format_is_reported_whole(tmp_path: Path) -> None:
    value = samples.STRIPE_LIVE_KEY + "Zq81kDm"  # Stripe keys grew past 24 characters
    findings = lint(tmp_path, {"content/docs/a.md": f"{FRONT}Key: {value}\n"})
    assert where(findings) == [("secrets.payment-key", 7, 6, 7, 6 + len(value))]
    assert "(sk_l…kDm)" in findings[0].message


def test_offsets_hold_when_lower_casing_changes_length(tmp_path: Path) -> None:
    # "İ".lower() is two characters: the key-word scan must not shift the columns.
    text = f'{FRONT}İİ api_key = "{samples.API_KEY}"\n'
    findings = lint(tmp_path, {"content/docs/a.md": text})
    assert where(findings) == [("secrets.high-entropy", 7, 15, 7, 15 + len(samples.API_KEY))]


def test_allow_list_takes_exact_values_and_regexes(tmp_path: Path) -> None:
    text = (
        f"{FRONT}{samples.AWS_KEY_ID}\n{samples.GITHUB_TOKEN}\n"
        f"https://deploy:{samples.URL_PASSWORD}@git.acme.io\n{samples.SLACK_TOKEN}\n"
    )
    config = f'[lint.secrets]\nallow = ["{samples.AWS_KEY_ID}", "/^ghp_3TUv/", "/deploy:/"]\n'
    findings = lint(tmp_path, {"content/docs/a.md": text}, config=config)
    assert [(f.rule, f.line) for f in findings] == [("secrets.chat-token", 10)]


def test_a_bad_allow_regex_is_a_config_error(tmp_path: Path) -> None:
    config = '[lint.secrets]\nallow = ["sk_test_ok", "/sk_(live/"]\n'
    with pytest.raises(ConfigError) as error:
        lint(tmp_path, {"content/docs/a.md": FRONT}, config=config)
    assert "kbsync.toml: lint.secrets.allow[1]: '/sk_(live/' is not a valid regular" in str(
        error.value
    )
    assert error.value.exit_code == 2


def test_one_scan_per_file_for_all_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = scanner_module.scan_text

    def counting(text: str, threshold: float) -> list[object]:
        calls.append(len(text))
        return real(text, threshold)  # type: ignore[return-value]

    monkeypatch.setattr(scanner_module, "scan_text", counting)
    files = {f"content/docs/{n}.md": f"{FRONT}{samples.GITHUB_TOKEN}\n" for n in "abc"}
    findings = lint(tmp_path, files)
    assert len(findings) == 3
    assert len(calls) == 3


def test_worker_processes_give_the_same_findings(tmp_path: Path) -> None:
    files = {
        f"content/docs/{p.rule.split('.')[1]}{i}.md": f"{FRONT}{p.line}\n"
        for i, p in enumerate(PLANTED)
    }
    serial = lint(tmp_path / "one", files)
    parallel = lint(tmp_path / "two", files, jobs=3)
    assert where(parallel) == where(serial)
    assert len(serial) == len(PLANTED)


@pytest.mark.parametrize(
    "value",
    [
        "XXXX-XXXX-XXXX",
        "<your-key>",
        "${API_KEY}",
        "{{ .Site.Params.key }}",
        "sk_test_...",
        "sk_live_…",
        "your-api-key-here",
        "aaaaaaaaaaaa",
        "****************",
        "AKIAIOSFODNN7EXAMPLE",
        "abcdef0123456789",
        "ABCDEFGHIJKLMNOP",
        "%API_KEY%",
        "$API_KEY",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "random"),
    [
        (samples.API_KEY, True),
        ("8af06c621c64343961d86a4dc3b1a0809ed12bcd", True),
        ("U7d50T2XxENCHvQ9", True),
        ("hugo-deploy-token-v2", False),  # a name: no randomness
        ("Tr0ub4dor&3", False),  # too short to judge
        ("KBSYNC_STAGING_API_KEY", False),  # an environment variable's name
        ("process.env.UPPZY_TOKEN2", False),  # a reference
        ("./secrets/deploy-key-2.pem", False),  # a path
        ("123e4567-e89b-12d3-a456-426614174000", False),  # a UUID
        ("1234567890123456789", False),  # digits only
    ],
)
def test_looks_random(value: str, random: bool) -> None:
    assert looks_random(value, 3.5) is random


def test_scan_text_never_keeps_the_value_in_repr() -> None:
    (detection,) = scan_text(f"token = {samples.GITHUB_TOKEN}\n", 3.5)
    assert samples.GITHUB_TOKEN not in repr(detection)
    assert detection.masked == "ghp_…JJf"


def test_every_family_is_registered_as_a_documented_error_rule() -> None:
    registered = {rule.id for rule in CODE_RULES if rule.id.startswith("secrets.")}
    assert registered == {rule.id for rule in secrets_rules.RULES}
    assert {p.rule for p in PLANTED} | {"secrets.private-key"} == registered
    for rule in secrets_rules.RULES:
        assert rule.severity is Severity.ERROR
        doc = rule.__doc__ or ""
        assert len(doc.strip().split("\n\n")) >= 3, rule.id  # finds / why / what to do
        assert "placeholder" in doc, rule.id


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u2060", "\u200d\u200c"])
def test_an_invisible_character_does_not_split_a_key(tmp_path: Path, hidden: str) -> None:
    """`AKIA` + a zero-width space + the rest reads (and copies) as the key; lint used to pass
    it. The finding spans the key as written, invisible characters included."""
    key = "AKIAZQ7WERTY5UIOP2XM"
    line = f"The key id is AKIA{hidden}{key[4:]} for the bucket."
    findings = lint(tmp_path, {"content/docs/a.md": f"{FRONT}Intro.\n{line}\n"})
    assert where(findings) == [("secrets.cloud-key", 8, 15, 8, 15 + len(key) + len(hidden))]
    assert "(AKIA…2XM)" in findings[0].message
