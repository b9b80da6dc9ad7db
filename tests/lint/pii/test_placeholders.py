"""Documentation values are nobody's data; everything else is."""

from __future__ import annotations

import pytest

from pipeline.lint.pii.placeholders import is_placeholder


@pytest.mark.parametrize(
    ("entity", "value"),
    [
        ("EMAIL_ADDRESS", "info@example.com"),
        ("EMAIL_ADDRESS", "jsmith@de.example.org"),
        ("EMAIL_ADDRESS", "ops@example.net"),
        ("EMAIL_ADDRESS", "jane@shop.example"),
        ("EMAIL_ADDRESS", "jane@mail.test"),
        ("EMAIL_ADDRESS", "bob@x.invalid"),
        ("EMAIL_ADDRESS", "your.name@gmail.com"),
        ("EMAIL_ADDRESS", "support@parcelly.com"),
        ("EMAIL_ADDRESS", "no-reply+orders@acme.io"),
        ("PHONE_NUMBER", "+1 415 555 0142"),
        ("PHONE_NUMBER", "(212) 555-0100"),
        ("PHONE_NUMBER", "+1-555-0199"),
        ("PHONE_NUMBER", "555-0123"),
        ("PHONE_NUMBER", "+1 206-555-1212"),
        ("PHONE_NUMBER", "020 7946 0123"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("PHONE_NUMBER", "0113 496 0999"),
        ("PHONE_NUMBER", "07700 900123"),
        ("PHONE_NUMBER", "+44 7700 900 456"),
        ("PHONE_NUMBER", "(02) 5550 1234"),
        ("PHONE_NUMBER", "+49 30 1234567"),
        ("IP_ADDRESS", "192.168.1.10"),
        ("IP_ADDRESS", "10.0.0.1"),
        ("IP_ADDRESS", "172.20.3.4"),
        ("IP_ADDRESS", "127.0.0.1"),
        ("IP_ADDRESS", "0.0.0.0"),
        ("IP_ADDRESS", "192.0.2.44"),
        ("IP_ADDRESS", "198.51.100.7"),
        ("IP_ADDRESS", "203.0.113.250"),
        ("IP_ADDRESS", "2001:db8::1"),
        ("IP_ADDRESS", "::1"),
        ("IP_ADDRESS", "::"),
        ("IP_ADDRESS", "fe80::1ff:fe23:4567:890a"),
        ("IP_ADDRESS", "10.0.0.0/8"),
        ("IP_ADDRESS", "8.8.8.8"),
        # issue 13: illustrative addresses, and the rest of the non-global ranges
        ("IP_ADDRESS", "1.2.3.4"),
        ("IP_ADDRESS", "4.3.2.1"),
        ("IP_ADDRESS", "5.6.7.8"),
        ("IP_ADDRESS", "10.20.30.40"),
        ("IP_ADDRESS", "2.2.2.2"),
        ("IP_ADDRESS", "123.45.67.89"),
        ("IP_ADDRESS", "::ffff:1.2.3.4"),
        ("IP_ADDRESS", "169.254.10.20"),
        ("IP_ADDRESS", "100.64.0.9"),
        ("IP_ADDRESS", "240.1.2.9"),
        ("IP_ADDRESS", "fd12:3456:789a::10"),
        ("CREDIT_CARD", "4242 4242 4242 4242"),
        ("CREDIT_CARD", "5555-5555-5555-4444"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("MAC_ADDRESS", "00:00:5e:00:53:af"),
        ("UUID", "00000000-0000-0000-0000-000000000000"),
        ("UUID", "123e4567-e89b-12d3-a456-426614174000"),
    ],
)
def test_documentation_values(entity: str, value: str) -> None:
    assert is_placeholder(entity, value)


@pytest.mark.parametrize(
    ("entity", "value"),
    [
        ("EMAIL_ADDRESS", "jane.doe@acme-shipping.com"),
        ("EMAIL_ADDRESS", "olga@example.com.evil.io"),
        ("EMAIL_ADDRESS", "maria@corp.local"),
        ("PHONE_NUMBER", "+1 415 839 2274"),
        ("PHONE_NUMBER", "(212) 555-0200"),
        ("PHONE_NUMBER", "020 7946 1123"),
        ("PHONE_NUMBER", "+44 7911 123456"),
        ("IP_ADDRESS", "81.2.69.160"),
        ("IP_ADDRESS", "2a00:1450:4001:82b::200e"),
        ("IP_ADDRESS", "3.4.5.7"),
        ("IP_ADDRESS", "2.5.4.3"),
        ("IP_ADDRESS", "::ffff:81.2.69.160"),
        ("CREDIT_CARD", "4539 1488 0343 6467"),
        ("IBAN_CODE", "DE44 5001 0517 5407 3249 31"),
        ("MAC_ADDRESS", "3c:22:fb:4a:91:07"),
        ("UUID", "f47ac10b-58cc-4372-a567-0e02b2c3d479"),
        ("US_SSN", "536-22-8726"),
    ],
)
def test_real_looking_values(entity: str, value: str) -> None:
    assert not is_placeholder(entity, value)
