"""The CLI's key masker: a registered key is masked whole, by its pieces and in the escaped forms
libraries quote it in; an unrelated text is left alone."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from pipeline.cli.errors import MaskedStream, Masker, render_error
from pipeline.cli.logs import JsonFormatter
from pipeline.errors import ConfigError
from tests.helpers import doc, write_repo

KEY = "sbx_live_5f0c2a9d8e7b6a514c3d"
OTHER = "sbx_other_77aa88bb99cc00dd"


def test_a_key_is_masked_whole_and_by_its_pieces() -> None:
    masker = Masker()
    masker.add(f"{KEY}\n{OTHER}")
    text = f"Illegal header value b'{KEY}\\n{OTHER}' then {KEY} and {OTHER}"
    masked = masker(text)
    assert KEY not in masked and OTHER not in masked
    assert KEY[5:] not in masked and OTHER[5:] not in masked
    assert masked.startswith("Illegal header value b'")


def test_a_non_ascii_key_is_masked_in_its_utf8_bytes_repr() -> None:
    masker = Masker()
    value = f"{KEY}é"
    masker.add(value)
    quoted = repr(value.encode("utf-8"))
    masked = masker(f"cannot encode {value!r}: {quoted}")
    assert KEY not in masked and "\\xc3\\xa9" not in masked.replace("[masked]", "")


def test_short_values_and_unrelated_text_are_left_alone() -> None:
    masker = Masker()
    masker.add("abc")
    masker.add("   ")
    assert masker("abc and more abc") == "abc and more abc"


def test_variables_are_registered_by_name_and_by_what_their_name_says() -> None:
    masker = Masker()
    environ = {
        "UPPZY_PROD": KEY,
        "GITHUB_TOKEN": OTHER,
        "DB_PASSWORD": "hunter2hunter2",
        "HOME": "/home/writer",
    }
    masker.add_from_environment(["UPPZY_PROD"], environ)
    masked = masker(f"{KEY} {OTHER} hunter2hunter2 /home/writer")
    assert masked == "sbx_[masked] sbx_[masked] hunt[masked] /home/writer"
    masker.clear()
    assert masker(KEY) == KEY


def test_errors_log_lines_and_streams_pass_through_the_masker() -> None:
    from pipeline.cli import errors

    errors.MASKER.clear()
    errors.MASKER.add(KEY)
    try:
        assert KEY not in render_error(ConfigError(f"bad {KEY}", hint=f"not {KEY}"))
        record = logging.LogRecord("pipeline", logging.WARNING, "", 0, "sent %s", (KEY,), None)
        record.header = KEY
        assert KEY not in JsonFormatter().format(record)
        inner = io.StringIO()
        stream = MaskedStream(inner)
        stream.write(f"report: {KEY}\n")
        stream.writelines([KEY, "\n"])
        assert KEY not in inner.getvalue()
        assert stream.getvalue() == inner.getvalue()  # other attributes are the inner stream's
    finally:
        errors.MASKER.clear()


def test_a_bug_is_one_masked_line_and_the_traceback_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UPPZY_API_KEY", KEY)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError(f"header {KEY!r} refused")

    monkeypatch.setattr("pipeline.cli.lint_cmd.run_lint", broken)
    with pytest.raises(SystemExit) as exit_:
        main(["lint"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        "error: internal error: RuntimeError: header 'sbx_[masked]' refused\n"
        "  hint: this is a bug in kbsync: run again with KBSYNC_DEBUG=1 for the traceback "
        "and report it\n"
    )
    monkeypatch.setenv("KBSYNC_DEBUG", "1")
    with pytest.raises(SystemExit):
        main(["lint"])
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and KEY not in err
