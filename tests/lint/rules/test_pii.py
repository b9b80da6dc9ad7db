"""The pii rules with the real spaCy model: found, masked, not found, offline, fast paths.

The model is loaded once per test session (the analyzer is cached per process); every lint here
runs in-process with `jobs=1` unless it says otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import ConfigError
from pipeline.lint.engine import LintOptions, LintReport, run_lint
from pipeline.lint.reporters import FORMATS
from pipeline.lint.rules import pii
from tests.cli.conftest import Run
from tests.helpers import settings_for, write_repo

DOC_HEAD = "---\nid: docs.case\ntitle: Case\nstatus: approved\nreviewed: 2026-10-01\n---\n"

# Planted values, one per default entity (line numbers are those of the file written below).
PLANTED = {
    "PERSON": "Maria Gonzalez",
    "EMAIL_ADDRESS": "jane.doe@acme-shipping.com",
    "PHONE_NUMBER": "+1 415 839 2274",
    "CREDIT_CARD": "4539 1488 0343 6467",
    "IBAN_CODE": "DE44 5001 0517 5407 3249 31",
    "IP_ADDRESS": "81.2.69.160",
    "MAC_ADDRESS": "3c:22:fb:4a:91:07",
    "CRYPTO": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "MEDICAL_LICENSE": "BJ6125341",
    "UK_NHS": "943 476 5919",
    "US_BANK_NUMBER": "73910284516",
    "US_ITIN": "912-73-4567",
    "US_PASSPORT": "C03005988",
    "US_SSN": "536-22-8726",
    "UUID": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
}
PLANTED_BODY = f"""\
Please contact {PLANTED["PERSON"]} about the refund.

E-mail {PLANTED["EMAIL_ADDRESS"]}, phone {PLANTED["PHONE_NUMBER"]}, card {PLANTED["CREDIT_CARD"]}.

IBAN {PLANTED["IBAN_CODE"]} and IP address {PLANTED["IP_ADDRESS"]} and MAC {PLANTED["MAC_ADDRESS"]}.

Wallet {PLANTED["CRYPTO"]} and DEA number {PLANTED["MEDICAL_LICENSE"]}.

NHS number {PLANTED["UK_NHS"]} and bank account {PLANTED["US_BANK_NUMBER"]}.

ITIN {PLANTED["US_ITIN"]}, passport {PLANTED["US_PASSPORT"]}, SSN {PLANTED["US_SSN"]}.

Order {PLANTED["UUID"]}.
"""


def lint(
    root: Path,
    files: dict[str, str],
    *,
    config: str | None = None,
    select: tuple[str, ...] = ("pii",),
    use_cache: bool = False,
    jobs: int = 1,
) -> LintReport:
    write_repo(root, dict(files), config=config)
    return run_lint(settings_for(root), LintOptions(select=select, use_cache=use_cache, jobs=jobs))


def doc(body: str, head: str = DOC_HEAD) -> dict[str, str]:
    return {"content/docs/case.md": head + textwrap.dedent(body)}


def where(report: LintReport) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in report.findings]


def test_every_default_entity_is_found_and_masked(tmp_path: Path) -> None:
    report = lint(tmp_path, doc(PLANTED_BODY))
    assert where(report) == [
        ("pii.person", 7, 16),
        ("pii.email_address", 9, 8),
        ("pii.phone_number", 9, 42),
        ("pii.credit_card", 9, 64),
        ("pii.iban_code", 11, 6),
        ("pii.ip_address", 11, 49),
        ("pii.mac_address", 11, 69),
        ("pii.crypto", 13, 8),
        ("pii.medical_license", 13, 58),
        ("pii.uk_nhs", 15, 12),
        ("pii.us_bank_number", 15, 42),
        ("pii.us_itin", 17, 6),
        ("pii.us_passport", 17, 28),
        ("pii.us_ssn", 17, 43),
        ("pii.uuid", 19, 7),
    ]
    assert {f.rule for f in report.findings} == {r.id for r in pii.RULES if r.entity in PLANTED}
    by_rule = {f.rule: f for f in report.findings}
    assert "'M**** G*******'" in by_rule["pii.person"].message
    assert "'j***@a************.com'" in by_rule["pii.email_address"].message
    assert "'+* *** *** **74'" in by_rule["pii.phone_number"].message
    assert "'***-**-**26'" in by_rule["pii.us_ssn"].message
    for finding in report.findings:
        assert not any(value in finding.message for value in PLANTED.values()), finding.message
    # The finding covers the value: its columns span exactly the planted text.
    email = by_rule["pii.email_address"]
    assert email.end_column - email.column == len(PLANTED["EMAIL_ADDRESS"])


def test_documentation_placeholders_are_not_reported(tmp_path: Path) -> None:
    body = """\
    Write to info@example.com, ops@status.example.org, jane@shop.example or bob@ci.test.
    Our team is at support@parcelly.com; replies come from noreply@parcelly.com.
    Call +1 415 555 0142, (212) 555-0100, 020 7946 0123 or 07700 900123.
    Servers: 192.168.1.10, 10.0.0.1, 127.0.0.1, 0.0.0.0, 203.0.113.7, 2001:db8::1 and ::1.
    Use the test card 4242 4242 4242 4242 and the IBAN GB82 WEST 1234 5698 7654 32.

    ```sh
    go get github.com/foo/bar@v1.2.3
    git clone git@github.com:parcelly/docs.git
    npm install katex@0.17.0
    rsync -a public/ deploy@ftp.parcelly.net:/var/www
    ```

    Version 0.164.0 was released at 1674891898; the format is 12345.6789.
    """
    assert where(lint(tmp_path, doc(body))) == []


def test_addresses_oids_versions_and_asset_uuids_are_not_personal(tmp_path: Path) -> None:
    """Issue 13's classes of false personal data, as real help centres write them."""
    body = """\
    Point the client at the cluster:

    ```yaml
    endpoints:
      - http://192.168.12.50:2379
      - https://81.2.69.160:2379
    ```

    Start with `http://192.168.12.50:2379`; block `1.2.3.4`, listen on `0.0.0.0`.
    The attribute `urn:oid:2.5.4.3` is the common name; OID 2.5.4.10 is the organisation.
    Upgrade from version 3.10.2.15 to release 4.1.0.2, or pin `tool==5.4.3.21`.
    IPv6: fe80::1ff:fe23:4567:890a, ::ffff:1.2.3.4 and 2001:db8::5.

    ![diagram](https://cdn.help.acme.io/images/3f2b8a1c-9d4e-4f6a-b1c2-7e8d9f0a1b2c.png)
    ![shot](/uploads/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d/screenshot.png)
    """
    report = lint(tmp_path, doc(body))
    # the public address in the code block is an address (never a phone number), and only that
    assert [(f.rule, f.line) for f in report.findings] == [("pii.ip_address", 12)]


def test_a_uuid_is_reported_when_its_line_says_whose_record_it_is(tmp_path: Path) -> None:
    """A UUID said to be a customer's is theirs; a request id, an asset's or an example is not."""
    body = """\
    Her account id is 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d.
    See /uploads/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d/screenshot.png.
    Quote the request id b7e4c2d9-1f3a-4c6e-8a5b-9d0e2f7c1a38 when you write.

    ```json
    {"customer_id": "5a9c3e71-0d2b-4f86-b4a1-e6c8d2f0937b", "trace": "3d6f0a8e-2b1c-4f7e-9c3a-7e5b1d2f4a60"}
    ```
    """
    assert where(lint(tmp_path, doc(body), select=("pii.uuid",))) == [
        ("pii.uuid", 7, 19),
        ("pii.uuid", 12, 18),
    ]


def test_allow_list_exact_and_regex(tmp_path: Path) -> None:
    config = """\
    [lint.pii]
    allow = ["jane.doe@acme-shipping.com", "/@parcelly-partners\\\\.com$/", "Maria Gonzalez"]
    """
    body = """\
    Write to jane.doe@acme-shipping.com or olga@parcelly-partners.com.
    Write to olga@acme-shipping.com.
    Please contact Maria Gonzalez about the refund.
    """
    report = lint(tmp_path, doc(body), config=config)
    assert where(report) == [("pii.email_address", 8, 10)]


def test_pii_in_code_blocks_is_found_but_names_only_in_prose(tmp_path: Path) -> None:
    body = """\
    Export of the ticket:

    ```json
    {"name": "Olga Petrova", "email": "olga.petrova@gmail.com", "phone": "+44 7911 123456"}
    ```

    The value `81.2.69.160` is the customer's address.
    """
    report = lint(tmp_path, doc(body))
    assert where(report) == [
        ("pii.email_address", 10, 36),
        ("pii.phone_number", 10, 71),
        ("pii.ip_address", 13, 12),
    ]
    assert all(" in code " in f.message for f in report.findings)


def test_shown_frontmatter_values_are_searched_on_their_own_lines(tmp_path: Path) -> None:
    qa = """\
    ---
    id: qa.refund
    question: Can Maria Gonzalez get a refund?
    alternates:
      - Refund for jane.doe@acme-shipping.com
      - Refund for order 5
    status: approved
    owner: olga.petrova@acme-shipping.com
    reviewed: 2026-10-01
    ---
    Yes.
    """
    report = lint(tmp_path, {"content/qa/refund.md": textwrap.dedent(qa)})
    assert [(f.rule, f.line, f.column, f.path) for f in report.findings] == [
        ("pii.person", 3, 15, "content/qa/refund.md"),
        ("pii.email_address", 5, 16, "content/qa/refund.md"),
    ]
    assert " in the question " in report.findings[0].message
    assert " in an alternate " in report.findings[1].message


def test_internal_content_is_scanned_too(tmp_path: Path) -> None:
    head = DOC_HEAD.replace("status: approved\n", "status: approved\naudience: internal\n")
    report = lint(tmp_path, doc("Escalate to olga.petrova@acme-shipping.com.\n", head=head))
    assert where(report) == [("pii.email_address", 8, 13)]


def test_names_in_sentences_are_found(tmp_path: Path) -> None:
    body = """\
    Please contact Maria Gonzalez about the refund.

    Customer John Smith reported that the label was missing.

    Dear Mrs. Okafor, your parcel is on its way.

    Sarah said the locker was full.

    I spoke with Siobhan O'Brien from billing.

    Ask Priya Raghunathan in finance about the invoice.
    """
    report = lint(tmp_path, doc(body))
    assert where(report) == [
        ("pii.person", 7, 16),
        ("pii.person", 9, 10),
        ("pii.person", 11, 11),
        ("pii.person", 13, 1),
        ("pii.person", 15, 14),
        ("pii.person", 17, 5),
    ]
    assert [f.end_column - f.column for f in report.findings] == [14, 10, 6, 5, 15, 17]


def test_technical_prose_and_ui_labels_are_not_people(tmp_path: Path) -> None:
    body = """\
    # Convert and Remote

    Go to **Settings** and select **Billing**, then **Pickup Points**. The Convert button
    writes JSON. Page Resources and Dart Sass work with Hugo Modules and Emacs Org Mode.
    Set the permalink to /blog/:year/:month/:slug/ and run `hugo server`. Hugo uses Goldmark.
    Netlify and Vercel deploy it; Alpine Linux users install it with apk.

    {{< code-toggle file=hugo >}}
    [params.author]
    name = 'John Smith'
    email = 'jsmith@example.org'
    {{< /code-toggle >}}

    | Plan | Team seats |
    | --- | --- |
    | Starter | 2 |
    | Growth | 10 |
    """
    assert where(lint(tmp_path, doc(body))) == []


def test_glossary_terms_are_never_people(tmp_path: Path) -> None:
    config = """\
    [lint.pii]
    glossary = ["Gonzalez"]
    """
    body = "Please contact Maria Gonzalez about the refund.\n"
    assert where(lint(tmp_path / "with", doc(body), config=config)) == []
    assert where(lint(tmp_path / "without", doc(body))) == [("pii.person", 7, 16)]


def test_select_one_entity(tmp_path: Path) -> None:
    report = lint(tmp_path, doc(PLANTED_BODY), select=("pii.email_address",))
    assert where(report) == [("pii.email_address", 9, 8)]
    assert [r.rule_id for r in report.rules] == ["pii.email_address"]


def test_off_by_default_entities_can_be_switched_on(tmp_path: Path) -> None:
    body = "Our warehouse moved to Berlin in March.\n"
    assert where(lint(tmp_path, doc(body))) == []
    config = """\
    [lint.pii]
    extra_entities = ["LOCATION"]
    """
    assert where(lint(tmp_path / "on", doc(body), config=config)) == [("pii.location", 7, 24)]


def test_thresholds_are_settings(tmp_path: Path) -> None:
    body = "Ring +1 415 839 2274 after six.\n"
    assert where(lint(tmp_path, doc(body))) == [("pii.phone_number", 7, 6)]
    config = """\
    [lint.pii]
    thresholds = {PHONE_NUMBER = 0.9}
    """
    assert where(lint(tmp_path / "strict", doc(body), config=config)) == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('entities = ["EMAIL"]', "lint.pii.entities[0]: unknown entity 'EMAIL'"),
        (
            "thresholds = {PERSON = 1.5}",
            "lint.pii.thresholds.PERSON = 1.5 is out of range: it must be from 0 to 1",
        ),
        ('allow = ["/(unclosed/"]', "lint.pii.allow[0]: '/(unclosed/' is not a valid regex"),
    ],
)
def test_bad_settings_are_configuration_errors(tmp_path: Path, config: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        lint(tmp_path, doc("Text.\n"), config=f"[lint.pii]\n{config}\n")
    assert message in error.value.message
    assert error.value.exit_code == 2


def test_cache_fingerprint_covers_the_settings(tmp_path: Path) -> None:
    def fingerprints(config: str) -> set[str]:
        root = write_repo(tmp_path / str(abs(hash(config))), {}, config=config)
        report = run_lint(settings_for(root), LintOptions(select=("pii",), use_cache=False))
        return {rule.fingerprint() for rule in report.rules}

    base = fingerprints("")
    assert fingerprints('[lint.pii]\nallow = ["x@y.io"]\n').isdisjoint(base)
    assert fingerprints('[lint.pii]\nglossary = ["Hugo"]\n').isdisjoint(base)
    assert fingerprints("[lint.pii]\nthresholds = {PERSON = 0.6}\n").isdisjoint(base)
    assert fingerprints("") == base


def test_results_are_cached_per_file(tmp_path: Path) -> None:
    first = lint(tmp_path, doc(PLANTED_BODY), use_cache=True)
    again = run_lint(settings_for(tmp_path), LintOptions(select=("pii",)))
    assert again.cached == 1
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in first.findings]


def test_email_detection_never_reaches_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tldextract's default extractor would fetch the public suffix list; kbsync never uses it.

    Sockets to anything but loopback fail in every test (tests/conftest.py); on top of that the
    default extractor is replaced by one that fails if called at all.
    """
    import tldextract.tldextract

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the default tldextract extractor (network) was used")

    monkeypatch.setattr(tldextract.tldextract.TLD_EXTRACTOR, "__call__", no_network)
    monkeypatch.setattr(tldextract.tldextract.TLD_EXTRACTOR, "extract_str", no_network)
    with pytest.raises(AssertionError):
        tldextract.extract("jane@acme.io")  # the sabotage works
    report = lint(tmp_path, doc("Write to olga.petrova@acme-shipping.co.uk today.\n"))
    assert where(report) == [("pii.email_address", 7, 10)]


# --- through the CLI -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_report_format_prints_a_detected_value(
    tmp_path: Path, run: Run, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(tmp_path, doc(PLANTED_BODY))
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run(tmp_path, "lint", "--select", "pii", "--no-cache", "--format", fmt)
    assert result.exit_code == 1
    assert "pii.email_address" in result.output
    written = summary.read_text(encoding="utf-8") if fmt == "github" else ""
    assert ("pii.email_address" in written) == (fmt == "github")
    for output in (result.output, written):
        for value in PLANTED.values():
            assert value not in output
            assert value.replace(" ", "") not in output.replace(" ", "")


def test_missing_model_is_one_clear_line(tmp_path: Path, run: Run) -> None:
    config = '[lint.pii]\nmodel = "en_core_web_nonexistent"\n'
    write_repo(tmp_path, doc(PLANTED_BODY), config=config)
    result = run(tmp_path, "lint", "--select", "pii", "--no-cache")
    assert result.exit_code == 2
    assert result.output == (
        "error: spaCy model 'en_core_web_nonexistent' ([lint.pii] model) is not installed; "
        "install it with: pip install en-core-web-nonexistent "
        "(or python -m spacy download en_core_web_nonexistent)\n"
    )


def test_missing_model_does_not_matter_when_nothing_needs_scanning(
    tmp_path: Path, run: Run
) -> None:
    config = '[lint.pii]\nmodel = "en_core_web_nonexistent"\n'
    write_repo(tmp_path, doc("Nothing to see here.\n"), config=config)
    result = run(tmp_path, "lint", "--select", "pii", "--no-cache")
    assert (result.exit_code, result.output) == (0, "1 file: 0 errors, 0 warnings, 0 suggestions\n")


def test_rules_lists_every_pii_id_with_documentation(tmp_path: Path, run: Run) -> None:
    result = run(tmp_path, "rules")
    lines = [line for line in result.output.splitlines() if line.startswith("pii.")]
    assert [line.split()[0] for line in lines] == [rule.id for rule in pii.RULES]
    assert "pii.email_address" in [line.split()[0] for line in lines]
    markdown = run(tmp_path, "rules", "--format", "markdown").output
    assert "### `pii.person`" in markdown
    assert "Off by default" in markdown.split("### `pii.location`")[1].split("###")[0]


# --- processes -----------------------------------------------------------------------------------

_PROBE = """\
import json, sys
from pipeline.cli import main
try:
    main(["lint", "--select", "pii"])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "spacy": "spacy" in sys.modules,
                  "presidio": "presidio_analyzer" in sys.modules}), file=sys.stderr)
"""


def _probe(root: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=root, capture_output=True, text=True, check=False
    )
    result: dict[str, Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


def test_a_clean_cached_run_never_imports_spacy(tmp_path: Path) -> None:
    write_repo(tmp_path, doc("Please contact Maria Gonzalez about the refund.\n"))
    first = _probe(tmp_path)
    assert first == {"code": 1, "spacy": True, "presidio": True}
    second = _probe(tmp_path)
    assert second == {"code": 1, "spacy": False, "presidio": False}


@pytest.mark.slow
def test_worker_processes_find_the_same(tmp_path: Path) -> None:
    files = {f"content/docs/d{i}.md": DOC_HEAD + PLANTED_BODY for i in range(4)}
    one = lint(tmp_path / "one", files)
    two = lint(tmp_path / "two", files, jobs=2)
    assert [f.to_dict() for f in two.findings] == [f.to_dict() for f in one.findings]
    assert len(two.findings) == 4 * len(PLANTED)
