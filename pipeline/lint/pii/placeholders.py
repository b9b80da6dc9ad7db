"""Values reserved for documentation: they look like personal data and belong to nobody.

Writers are told to use these instead of real data, so they are never reported:

- e-mail addresses at `example.com`, `example.org`, `example.net` (and their subdomains), at the
  reserved top-level domains `.example`, `.test`, `.invalid`, `.localhost` (RFC 2606/6761), with
  an obvious placeholder as local part (`your.name@…`), or of a role rather than a person
  (`support@…`, `noreply@…`);
- phone numbers in fiction ranges: North American 555-0100–555-0199 (and 555-1212, directory
  assistance), the UK's Ofcom drama ranges, Australia's (0x) 5550/7010 ranges, and numbers whose
  subscriber part is a dummy sequence (`1234567`, `0000000`);
- IP addresses that are not globally routable: private (RFC 1918), loopback, link-local,
  unspecified, shared, reserved, multicast and the documentation ranges (RFC 5737, RFC 3849),
  the well-known public DNS resolvers, and illustrative addresses nobody is given: a counting
  sequence (`1.2.3.4`, `4.3.2.1`, `10.20.30.40`), one repeated number (`2.2.2.2`) and the
  keyboard runs `123.45.67.89`, `12.34.56.78`;
- published test card numbers, the standard example IBANs, the MAC documentation range
  (RFC 7042) and the nil / example UUIDs.
"""

from __future__ import annotations

import ipaddress
import itertools
import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
_PLACEHOLDER_LOCAL = _words(
    """
    you your yourname your.name your_name your-name youremail your.email yourusername me myname
    name username user someone somebody anyone nobody first.last firstname.lastname
    firstname_lastname firstname lastname email mail address foo bar baz test example sample
    """
)
_ROLE_LOCAL = _words(
    """
    support help helpdesk info contact hello sales billing accounts invoices orders returns
    shipping admin administrator postmaster hostmaster webmaster abuse security privacy legal
    dpo gdpr compliance press media marketing jobs careers team office feedback service
    customerservice care noreply no-reply donotreply do-not-reply notifications notification
    alerts mailer-daemon root git maintainers maintainer developers dev announce community
    """
)


def placeholder_email(value: str) -> bool:
    """An address at a documentation domain, with a placeholder local part, or of a role."""
    local, _, domain = value.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in _EXAMPLE_DOMAINS):
        return True
    if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return True
    base = local.lower().split("+", 1)[0]
    return base in _PLACEHOLDER_LOCAL or base in _ROLE_LOCAL


# UK Ofcom numbers for drama: (national prefix, digits after it).
_UK_DRAMA_PREFIXES = (
    "01134960", "01144960", "01154960", "01164960", "01174960", "01184960", "01214960",
    "01314960", "01414960", "01514960", "01614960", "02079460", "01914980", "02896496",
    "02920180", "01632960", "07700900", "08081570", "09098790", "03069990",
)  # fmt: skip
_AU_FICTION = re.compile(r"^0[2378](?:5550|7010)\d{4}$")


def placeholder_phone(value: str) -> bool:
    """A number in a fiction range, a service number, or a dummy sequence."""
    digits = re.sub(r"\D", "", value)
    plus = value.strip().startswith("+")
    if plus and digits.startswith("44"):
        national = "0" + digits[2:]
    elif digits.startswith("0044"):
        national = "0" + digits[4:]
    elif plus and digits.startswith("61"):
        national = "0" + digits[2:]
    else:
        national = digits
    if any(national.startswith(p) and len(national) == 11 for p in _UK_DRAMA_PREFIXES):
        return True
    if _AU_FICTION.match(national):
        return True
    nanp = digits[1:] if digits.startswith("1") and len(digits) in (8, 11) else digits
    if len(nanp) in (7, 10):
        exchange, line = nanp[-7:-4], nanp[-4:]
        if exchange == "555" and (100 <= int(line) <= 199 or line == "1212"):
            return True
    return _dummy_sequence(digits[-7:]) if len(digits) >= 9 else _dummy_sequence(digits)


def _dummy_sequence(digits: str) -> bool:
    """`1234567`, `7654321`, `0000000`: a number nobody has."""
    if len(digits) < 6:
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({0}, {1}, {9})


_PUBLIC_RESOLVERS = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
        "208.67.222.222", "208.67.220.220", "2001:4860:4860::8888", "2001:4860:4860::8844",
        "2606:4700:4700::1111", "2606:4700:4700::1001",
    )
)  # fmt: skip


_ILLUSTRATIVE_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in ("123.45.67.89", "12.34.56.78", "98.76.54.32", "123.123.123.123")
)


def _illustrative(address: ipaddress.IPv4Address) -> bool:
    """`1.2.3.4`, `4.3.2.1`, `10.20.30.40`, `2.2.2.2`: a pattern a writer types, not a host."""
    octets = [int(part) for part in str(address).split(".")]
    steps = {b - a for a, b in itertools.pairwise(octets)}
    return address in _ILLUSTRATIVE_IPS or (
        len(steps) == 1 and abs(next(iter(steps))) in (0, 1, 10)
    )


def placeholder_ip(value: str) -> bool:
    """Not a globally routable unicast address, a public DNS resolver's, or an illustrative one."""
    text = value.strip().strip("[]")
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    try:
        address = ipaddress.ip_interface(text.split("%", 1)[0]).ip
    except ValueError:
        return True  # not an address at all
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast or address in _PUBLIC_RESOLVERS:
        return True
    return isinstance(address, ipaddress.IPv4Address) and _illustrative(address)


_TEST_CARDS = _words(
    """
    4242424242424242 4000056655665556 4111111111111111 4012888888881881 4222222222222
    4000000000000002 4000000000009995 4000000000000077 4000002500003155 4000000000003220
    4444333322221111 4917610000000000 4462030000000000 4917300800000000 4988438843884305
    5555555555554444 5105105105105100 5200828282828210 5454545454545454 2223003122003222
    2223000048400011 378282246310005 371449635398431 378734493671000 340000000000009
    6011111111111117 6011000990139424 6011000400000000 3056930009020004 36227206271667
    30569309025904 38520000023237 3566002020360505 3530111333300000 6200000000000005
    6250941006528599 6759649826438453 6304000000000000
    """
)


def placeholder_card(value: str) -> bool:
    """A published test card number, or a number made of one repeated group."""
    digits = re.sub(r"\D", "", value)
    return digits in _TEST_CARDS or _repeated_block(digits)


def _repeated_block(digits: str) -> bool:
    return any(
        len(digits) % size == 0 and digits == digits[:size] * (len(digits) // size)
        for size in (1, 2, 4)
    )


_EXAMPLE_IBANS = _words(
    """
    GB82WEST12345698765432 GB29NWBK60161331926819 GB33BUKB20201555555555 DE89370400440532013000
    DE75512108001245126199 FR1420041010050500013M02606 FR7630006000011234567890189
    NL91ABNA0417164300 NL02ABNA0123456789 CH9300762011623852957 BE68539007547034
    ES9121000418450200051332 IT60X0542811101000000123456 AT611904300234573201
    """
)


def placeholder_iban(value: str) -> bool:
    return re.sub(r"[\s-]", "", value).upper() in _EXAMPLE_IBANS


def placeholder_mac(value: str) -> bool:
    """The RFC 7042 documentation range, broadcast, or all zeros."""
    hexdigits = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    return hexdigits.startswith("00005e0053") or hexdigits in ("0" * 12, "f" * 12)


_EXAMPLE_UUIDS = frozenset(
    {
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",  # RFC 4122's example
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-426655440000",
        "01234567-89ab-cdef-0123-456789abcdef",
    }
)


def placeholder_uuid(value: str) -> bool:
    """The nil and max UUIDs, the well-known examples, and one repeated character."""
    text = value.strip().lower()
    return text in _EXAMPLE_UUIDS or len(set(text.replace("-", ""))) <= 1


_CHECKS = {
    "EMAIL_ADDRESS": placeholder_email,
    "PHONE_NUMBER": placeholder_phone,
    "IP_ADDRESS": placeholder_ip,
    "CREDIT_CARD": placeholder_card,
    "IBAN_CODE": placeholder_iban,
    "MAC_ADDRESS": placeholder_mac,
    "UUID": placeholder_uuid,
}


def is_placeholder(entity: str, value: str) -> bool:
    """True when `value` of `entity` is a documentation value, not anyone's data."""
    check = _CHECKS.get(entity)
    return bool(check and check(value))
