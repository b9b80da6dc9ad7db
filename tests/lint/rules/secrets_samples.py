"""Fake credentials of every `secrets.*` family, for tests.

Each is random-looking and well-formed, none is real. They are joined from fragments at import
time so this repository never holds a whole provider-format credential that GitHub's push
protection or another secret scanner would stop.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import dataclass


def _join(*parts: str) -> str:
    return "".join(parts)


def _b64url(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


AWS_KEY_ID = _join("AK", "IA", "2GER6SKJ0J2VI96W")
AWS_SECRET_KEY = _join("aj+oS2afMCle1XgDF1Mv", "YJmCB7tmF4B/bavRARXY")
GOOGLE_API_KEY = _join("AI", "za", "Sy", "ugdEv2fDrCyaes36Uvsf_JTWsyXbMmkPYX")
STRIPE_LIVE_KEY = _join("sk", "_live_", "AEoyDTwiOoUfwxhlNvxhkM3SppBlgYpeOW2A1GV2")
GITHUB_TOKEN = _join("gh", "p_", "3TUvPQUY9veCn26MkuUTEjRFyyzqfZUHXJJf")
GITLAB_TOKEN = _join("gl", "pat-", "mgmubGDjPo1xRJjIybBG")
SLACK_TOKEN = _join("xo", "xb-", "17653672481-19874698323-", "1b8hrg9te6jpr8313gjal1tt")
SLACK_WEBHOOK = _join(
    "https://hooks.", "slack.com/services/", "T0A1B2C3D/B4E5F6G7H/", "cLl7bLem3YwCuqoLwyfkxxEF"
)
NPM_TOKEN = _join("np", "m_", "F2WU1G0Pjlug3YHsZwQRxiBsCKdxE8u0cRgd")
PEM_BODY = (
    "oQ2zbEnYfOghw10qGx2Gc5vVjTjBXEORLGle40dMhgVrxEP1qnKo/NqWDw9lKVjR",
    "GqxISCAwLMm2MJPrnx5MJi0r5olSOGKUL2MjLlO8ECkgopvdQNziYuyNUOzPE2dw",
    "XbTfLPLP4Xj2NdVoRpk+KIICRyuPFwxMtg7iS4eUne4aGuIkrIIipyaUj1OLVGwi",
)
PRIVATE_KEY = "\n".join(
    [_join("-----BEGIN RSA ", "PRIVATE KEY-----"), *PEM_BODY, "-----END RSA PRIVATE KEY-----"]
)


def openssh_private_key() -> str:
    """An OpenSSH-format Ed25519 key block: the real layout, with random key bytes.

    Built at run time: its body has the runs of `A` (zero bytes) every OpenSSH key has.
    """

    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    public = field(b"ssh-ed25519") + field(os.urandom(32))
    check = os.urandom(4)
    private = check + check + public + field(os.urandom(64)) + field(b"kb@acme") + b"\x01\x02\x03"
    blob = (
        b"openssh-key-v1\0" + field(b"none") + field(b"none") + field(b"") + struct.pack(">I", 1)
        + field(public) + field(private)
    )  # fmt: skip
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    kind = _join("OPENSSH ", "PRIVATE KEY")
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


JWT = ".".join(
    [
        _b64url({"alg": "HS256", "typ": "JWT"}),
        _b64url({"sub": "u_9182", "role": "admin", "iat": 1700000000}),
        "kQ7vN2xR9mB4tY6wZ1cL8pF3hJ5sD0gK2aE7uI9oV4n",
    ]
)
BEARER_TOKEN = "rKWCeQDr44iEynFeAnaJNKD5wluuSxHM"
URL_PASSWORD = "U7d50T2XxENCHv"
API_KEY = "a5TGYCRUEy7V3FPO2rxWjed8GGFXDOjD"


@dataclass(frozen=True)
class Planted:
    """One credential on one line of a document body: where the value starts, and its rule."""

    rule: str
    line: str
    value: str
    masked: str

    @property
    def column(self) -> int:
        return self.line.index(self.value) + 1


PLANTED = (
    Planted("secrets.cloud-key", f"aws_access_key_id = {AWS_KEY_ID}", AWS_KEY_ID, "AKIA…96W"),
    Planted(
        "secrets.cloud-key",
        f"aws_secret_access_key = {AWS_SECRET_KEY}",
        AWS_SECRET_KEY,
        "aj+o…RXY",
    ),
    Planted("secrets.cloud-key", f"Maps key: `{GOOGLE_API_KEY}`", GOOGLE_API_KEY, "AIza…PYX"),
    Planted(
        "secrets.payment-key", f'stripe.api_key = "{STRIPE_LIVE_KEY}"', STRIPE_LIVE_KEY, "sk_l…GV2"
    ),
    Planted(
        "secrets.vcs-token", f"export GITHUB_TOKEN={GITHUB_TOKEN}", GITHUB_TOKEN, "ghp_…JJf"
    ),
    Planted(
        "secrets.vcs-token", f"git push https://oauth2:{GITLAB_TOKEN}@gitlab.com/acme/kb.git",
        GITLAB_TOKEN, "glpa…bBG",
    ),
    Planted("secrets.chat-token", f"SLACK_BOT_TOKEN={SLACK_TOKEN}", SLACK_TOKEN, "xoxb…1tt"),
    Planted(
        "secrets.chat-token", f"Post to <{SLACK_WEBHOOK}>.", SLACK_WEBHOOK.rsplit("services/")[1],
        "T0A1…xEF",
    ),
    Planted("secrets.service-key", f"//registry.npmjs.org/:_authToken={NPM_TOKEN}", NPM_TOKEN,
            "npm_…Rgd"),
    Planted("secrets.jwt", f"Session: {JWT}", JWT, "eyJh…V4n"),
    Planted(
        "secrets.bearer-token",
        f'curl -H "Authorization: Bearer {BEARER_TOKEN}" https://api.acme.io/v1',
        BEARER_TOKEN,
        "rKWC…xHM",
    ),
    Planted(
        "secrets.basic-auth",
        f"git clone https://deploy:{URL_PASSWORD}@git.acme.io/kb.git",
        URL_PASSWORD,
        "U7d5…CHv",
    ),
    Planted("secrets.high-entropy", f'api_key = "{API_KEY}"', API_KEY, "a5TG…OjD"),
)  # fmt: skip
"""One credential per line; the private key (several lines) is :data:`PRIVATE_KEY`."""


@dataclass(frozen=True)
class Format:
    """A further provider format: the line it is written on, its value and its label."""

    family: str
    label: str
    line: str
    value: str


def _format(family: str, label: str, before: str, value: str, after: str = "") -> Format:
    return Format(family, label, f"{before}{value}{after}", value)


MORE_FORMATS = (
    _format(
        "cloud-key", "Azure storage account key",
        "DefaultEndpointsProtocol=https;AccountName=kb;AccountKey=",
        _join("U8xqsLMpY0C2pmlKZeow37+k1ipDiL5SGFdw6AknRec1y2Y6yuqcJzVJ",
              "Glb1TCEVnJC8AbOmFGe8+zZfcaPF1g=="),
        ";EndpointSuffix=core.windows.net",
    ),
    _format(
        "cloud-key", "Azure shared access key",
        "Endpoint=sb://kb.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=",
        _join("1zHjZTA3a9Fxsd1SjTjR", "+Hsup4HsqwqKCOH1D5UHXEs="),
    ),
    _format("payment-key", "Stripe test-mode key", "STRIPE_KEY=",
            _join("sk", "_test_", "FENJyuQr0SkXQUdxnTQcK8f1WG4lSq")),
    _format("payment-key", "Stripe webhook signing secret", "endpoint secret ",
            _join("wh", "sec_", "rUKzDJiBD8wo4Gd9LWcjSsA0b7zfL98r")),
    _format("payment-key", "Square OAuth secret", "square: ",
            _join("sq0", "csp-", "aJCLofXOm2hXDG2GSo5cwvCZ90I8oYpIKiIxGFLoU28")),
    _format(
        "vcs-token", "GitHub fine-grained token", "GH_TOKEN=",
        _join("github", "_pat_", "zreGA1zlTwHNv4Bij8ljI3_",
              "xHWhbBvfl9HYCICBKIKvBofXFxxwkP5loZN8tjbDOLcy5U3pFdjs8ATkWtz"),
    ),
    _format(
        "chat-token", "Slack app token", "app token ",
        _join("xa", "pp-1-", "9PQT7DYYKPM-5864847216962-",
              "e46ced2065c15dfa47dee32b0cfadc5005ef4a093b9b243e051ef8b0453a74e9"),
    ),
    _format(
        "chat-token", "Discord webhook URL", "https://discord.com/api/webhooks/",
        _join("205018578336627318/",
              "mDztNTAnDkTtcC7S5y6uf8omFCxoiUAjo_8G4TrrsO_Nureihx3EjuM1XgBbm9xmKW0y"),
    ),
    _format("chat-token", "Telegram bot token", "Telegram bot: ",
            _join("7675900736", ":", "1wkLeyaeV3vO1hcpiLYq5Hkk6kZnB3fDW-e")),
    _format("service-key", "OpenAI API key", "OPENAI_API_KEY=",
            _join("sk-", "rYyNsPzsz8FQUMnTdd7Z", "T3Blbk", "FJ", "0cZZOj8pVtgPHKRjWI9E")),
    _format(
        "service-key", "Anthropic API key", "ANTHROPIC_API_KEY=",
        _join("sk-", "ant-api03-", "SlNIyFVNv5iNvIgxJRiT96Bw6jjlgEeOUmqC42DkyiuMfihsMhyXSMZZ9K",
              "w_2ClgZVjAqCyQkJLDY8-CG4S0Ig9j9lxQsKD"),
    ),
    _format("service-key", "SendGrid API key", "SENDGRID_API_KEY=",
            _join("SG", ".s1b3yNdZYnqfe7AwBQ-Wwo.", "XSknRGZSrkJ0X4grlj84gRGC0ZvMMeGua-BYpfAkFVA")),
    _format("service-key", "Mailchimp API key", "mailchimp: ",
            _join("9ed21969510083b4d7e2dd7ac4d4b3a4", "-us", "21")),
    _format("service-key", "Hugging Face token", "HF_TOKEN=",
            _join("hf", "_", "tpcyhLzPEGVTwjTKWhKYfjPwpWvhXoMFIw")),
)  # fmt: skip
"""Formats beyond :data:`PLANTED`, each found by the scanner alone."""
