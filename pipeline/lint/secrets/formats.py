"""Credentials with a recognisable format: provider prefixes and fixed shapes.

Most patterns are detect-secrets' own (its plugins' `denylist`, the compiled expressions a
`RegexBasedDetector` is made of), so kbsync follows that project's upkeep of vendor formats. We
run those expressions ourselves with `finditer` over the whole file rather than through
`analyze_line`: that call yields values without positions, and it consults detect-secrets'
process-wide settings, which can switch on *verification* (plugins calling the vendor's API
through `requests`); kbsync must stay offline and must report exact columns.

Ours fill gaps where detect-secrets has no plugin or a wrong one for documentation:

- Google API keys (`AIza…`), GitHub fine-grained tokens (`github_pat_…`), Stripe test-mode keys
  and webhook secrets, Azure `SharedAccessKey=`, Slack app tokens (`xapp-…`), Discord webhook
  URLs, Anthropic and Hugging Face keys, npm tokens: no plugin exists;
- AWS secret keys written without quotes (`aws_secret_access_key = …` in a credentials file or
  `.env` block): the plugin requires quotes;
- the value's extent: detect-secrets cuts a Stripe key at 24 characters and a JWT before its
  signature, so every match is extended to the end of its token (`extend`) for a true location
  and masked tail, and a format's fixed prefix (`AccountKey=`) is left out of the value.

Each pattern names the lower-case substrings (`hints`) without which it cannot match, so a file
costs one `str.lower()` and a few substring tests unless it mentions a format at all.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.lint.secrets.detection import Detection, Family

_TOKEN_CHARS = "A-Za-z0-9_-"
_BASE64_CHARS = "A-Za-z0-9+/="


@dataclass(frozen=True)
class KeyFormat:
    """One recognisable credential format."""

    family: Family
    label: str
    regex: re.Pattern[str]
    hints: tuple[str, ...]
    """Lower-case substrings, one of which every match contains (the cheap prefilter)."""
    group: int = 0
    """The regex group that is the value."""
    prefix: str = ""
    """A fixed lead-in of the match that is not part of the value (`AccountKey=`)."""
    extend: str = ""
    """A character class (without brackets) the value may continue with past the match."""
    valid: Callable[[str], bool] | None = None
    """A further check on the value (a JWT must decode)."""

    def find(self, text: str) -> Iterator[Detection]:
        extension = re.compile(f"[{self.extend}]*") if self.extend else None
        for match in self.regex.finditer(text):
            start, end = match.span(self.group)
            if start < 0:
                continue
            if self.prefix and text[start : start + len(self.prefix)].lower() == self.prefix:
                start += len(self.prefix)
            if start > 0 and text[start - 1].isalnum() and self.group == 0 and not self.prefix:
                continue  # the middle of a longer word or blob, not a key
            if extension is not None:
                end = extension.match(text, end).end()  # type: ignore[union-attr]
                if text[end - 1] == "." and text[end - 2] != ".":
                    end -= 1  # the full stop after a token at the end of a sentence
            value = text[start:end]
            if self.valid is not None and not self.valid(value):
                continue
            yield Detection(self.family, self.label, start, end, value, match.group())


def _min_length(length: int) -> Callable[[str], bool]:
    return lambda value: len(value) >= length


def _decode_part(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def is_real_jwt(value: str) -> bool:
    """Signed, header and payload decode to JSON objects, and not jwt.io's sample token."""
    parts = value.split(".")
    if len(parts) < 3 or len(parts[-1]) < 16:
        return False  # without its signature a token cannot be used
    try:
        header = json.loads(_decode_part(parts[0]))
        payload = json.loads(_decode_part(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    return not (payload.get("sub") == "1234567890" and payload.get("name") == "John Doe")


@lru_cache(maxsize=1)
def key_formats() -> tuple[KeyFormat, ...]:
    """Every format, built on first use (importing detect-secrets costs about 0.1 s).

    Long because it is data: one entry per credential format.
    """
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector

    def ds(detector: type, index: int = 0) -> re.Pattern[str]:
        pattern: re.Pattern[str] = list(detector.denylist)[index]  # type: ignore[attr-defined]
        return pattern

    gitlab_hints = (
        *("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-"),
        *("glimt-", "glptt-", "glagent-", "gloas-"),
    )
    cloud, payment, vcs = Family.CLOUD_KEY, Family.PAYMENT_KEY, Family.VCS_TOKEN
    chat, service = Family.CHAT_TOKEN, Family.SERVICE_KEY
    return (
        # cloud providers
        KeyFormat(
            cloud, "AWS access key ID", ds(AWSKeyDetector, 0),
            ("akia", "asia", "abia", "acca", "a3t"), extend="A-Z0-9",
        ),
        KeyFormat(cloud, "AWS secret access key", ds(AWSKeyDetector, 1), ("aws",), group=1),
        KeyFormat(
            cloud, "AWS secret access key",
            re.compile(
                r"aws[\w.-]{0,20}?secret[\w.-]{0,20}?[\"']?[ \t]*[:=][ \t]*[\"']?"
                r"([0-9A-Za-z/+]{40})(?![0-9A-Za-z/+=])",
                re.IGNORECASE,
            ),
            ("aws",), group=1,
        ),
        KeyFormat(
            cloud, "Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}"), ("aiza",),
            extend=_TOKEN_CHARS,
        ),
        KeyFormat(
            cloud, "Azure storage account key", ds(AzureStorageKeyDetector), ("accountkey=",),
            prefix="accountkey=", extend=_BASE64_CHARS,
        ),
        KeyFormat(
            cloud, "Azure shared access key",
            re.compile(r"SharedAccessKey=([A-Za-z0-9+/]{42,}={0,2})", re.IGNORECASE),
            ("sharedaccesskey=",), group=1,
        ),
        # payment providers
        KeyFormat(
            payment, "Stripe live key", ds(StripeDetector), ("sk_live_", "rk_live_"),
            extend="0-9A-Za-z",
        ),
        KeyFormat(
            payment, "Stripe test-mode key", re.compile(r"[rs]k_test_[0-9A-Za-z]{24,}"),
            ("sk_test_", "rk_test_"),
        ),
        KeyFormat(
            payment, "Stripe webhook signing secret", re.compile(r"whsec_[0-9A-Za-z+/]{32,}"),
            ("whsec_",),
        ),
        KeyFormat(
            payment, "Square OAuth secret", ds(SquareOAuthDetector), ("sq0csp-",),
            extend=_TOKEN_CHARS,
        ),
        # version control hosts
        KeyFormat(
            vcs, "GitHub token", ds(GitHubTokenDetector),
            ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), extend="A-Za-z0-9_",
        ),
        KeyFormat(
            vcs, "GitHub fine-grained token", re.compile(r"github_pat_[0-9A-Za-z_]{40,255}"),
            ("github_pat_",),
        ),
        *(
            KeyFormat(vcs, "GitLab token", pattern, gitlab_hints)
            for pattern in list(GitLabTokenDetector.denylist)
        ),
        # chat services
        KeyFormat(
            chat, "Slack token", ds(SlackDetector, 0), ("xox",), extend="A-Za-z0-9-",
            valid=_min_length(30),
        ),
        KeyFormat(
            chat, "Slack webhook URL", ds(SlackDetector, 1), ("hooks.slack.com",),
            prefix="https://hooks.slack.com/services/", extend=_TOKEN_CHARS,
        ),
        KeyFormat(
            chat, "Slack app token", re.compile(r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}"),
            ("xapp-",),
        ),
        KeyFormat(chat, "Discord bot token", ds(DiscordBotTokenDetector), ("discord",)),
        KeyFormat(
            chat, "Discord webhook URL",
            re.compile(
                r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/(\d+/[\w-]{60,})"
            ),
            ("discord",), group=1,
        ),
        KeyFormat(chat, "Telegram bot token", ds(TelegramBotTokenDetector), ("telegram",)),
        # other services' API keys
        KeyFormat(service, "OpenAI API key", ds(OpenAIDetector), ("t3blbkfj",)),
        KeyFormat(
            service, "Anthropic API key",
            re.compile(r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}"), ("sk-ant-",),
        ),
        KeyFormat(service, "SendGrid API key", ds(SendGridDetector), ("sg.",)),
        KeyFormat(service, "Mailchimp API key", ds(MailchimpDetector), ("-us",)),
        KeyFormat(service, "npm token", re.compile(r"npm_[A-Za-z0-9]{36}"), ("npm_",)),
        KeyFormat(service, "PyPI token", ds(PypiTokenDetector, 0), ("pypi-",)),
        KeyFormat(service, "PyPI token", ds(PypiTokenDetector, 1), ("pypi-",)),
        KeyFormat(service, "Hugging Face token", re.compile(r"hf_[A-Za-z]{34}\b"), ("hf_",)),
        # JSON Web Tokens
        KeyFormat(
            Family.JWT, "JSON Web Token", ds(JwtTokenDetector), ("eyj",),
            extend="A-Za-z0-9_.=-", valid=is_real_jwt,
        ),
    )  # fmt: skip


def find_formats(text: str, lowered: str) -> Iterator[Detection]:
    """Every format match in `text` (`lowered` is `text.lower()`, computed once per file)."""
    present = {hint for hint in _all_hints() if hint in lowered}
    if not present:
        return
    for key_format in key_formats():
        if present.intersection(key_format.hints):
            yield from key_format.find(text)


@lru_cache(maxsize=1)
def _all_hints() -> tuple[str, ...]:
    return tuple(sorted({hint for key_format in key_formats() for hint in key_format.hints}))
