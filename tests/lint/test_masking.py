"""Masked forms never carry the value."""

from __future__ import annotations

from pipeline.lint.masking import mask_digits, mask_email, mask_secret, mask_text


def test_mask_email() -> None:
    assert mask_email("jane.doe@acme.com") == "j***@a***.com"
    assert mask_email("j@o.io") == "j***@o***.io"  # short values are padded, not revealed


def test_mask_secret() -> None:
    assert mask_secret("sk_live_51HxYzAbCdEf7fG") == "sk_l…7fG"
    assert mask_secret("short") == "*****"


def test_mask_digits_and_text() -> None:
    assert mask_digits("+1 415 555 2671") == "+* *** *** **71"
    assert mask_digits("DE89 3704 0044 0532 0130 00") == "**** **** **** **** **** 00"
    assert mask_text("Jane Doe") == "J*** D**"
