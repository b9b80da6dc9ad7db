"""What the secrets scanner reports: a :class:`Detection` of one credential, by :class:`Family`.

A detection carries the credential's value so the scanner can check it against the allow list,
but the value never leaves the lint package: findings carry :attr:`Detection.masked` only, and
the value is left out of the dataclass's `repr` so a stray log line cannot print it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pipeline.lint.masking import mask_secret


class Family(enum.StrEnum):
    """The rule families; each is one `secrets.<family>` rule."""

    CLOUD_KEY = "cloud-key"
    PAYMENT_KEY = "payment-key"
    VCS_TOKEN = "vcs-token"
    CHAT_TOKEN = "chat-token"
    SERVICE_KEY = "service-key"
    PRIVATE_KEY = "private-key"
    JWT = "jwt"
    BEARER_TOKEN = "bearer-token"
    BASIC_AUTH = "basic-auth"
    HIGH_ENTROPY = "high-entropy"

    @property
    def precedence(self) -> int:
        """Lower wins when two detections overlap: a known format beats a context guess."""
        return _PRECEDENCE[self]


_PRECEDENCE = {
    Family.PRIVATE_KEY: 0,
    Family.CLOUD_KEY: 1,
    Family.PAYMENT_KEY: 1,
    Family.VCS_TOKEN: 1,
    Family.CHAT_TOKEN: 1,
    Family.SERVICE_KEY: 1,
    Family.JWT: 2,
    Family.BASIC_AUTH: 3,
    Family.BEARER_TOKEN: 4,
    Family.HIGH_ENTROPY: 5,
}


@dataclass(frozen=True)
class Detection:
    """One credential at offsets `start`..`end` of a file's text (the value itself)."""

    family: Family
    label: str
    """What it is, for the message: `AWS access key ID`, `GitHub token`, …"""
    start: int
    end: int
    value: str = field(repr=False)
    """The credential; compared with the allow list, never reported."""
    context: str = field(default="", repr=False)
    """The whole match around the value (a URL, a header), also compared with the allow list."""

    @property
    def masked(self) -> str:
        """`sk_l…7fG`: enough to find it, never enough to use it."""
        return mask_secret(self.value)

    def overlaps(self, other: Detection) -> bool:
        return self.start < other.end and other.start < self.end
