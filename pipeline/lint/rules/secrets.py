"""`secrets.*`: credentials anywhere in a file — prose, code blocks and frontmatter alike.

Whatever is in the knowledge base is sent to Uppzy and can be quoted to any visitor, and stays
in git history after it is deleted, so a credential in a file is a leaked credential. Each rule
is one family of credential; all share one scan per file (:mod:`pipeline.lint.secrets`).
Findings point at the value and show it masked (`sk_l…7fG`), never in full.

Placeholders are not findings: `XXXX`, `****`, `<your-key>`, `${API_KEY}`, `{{ .Token }}`,
truncations (`sk_live_...`, `ghp_…`), `your-api-key-here`, runs (`aaaaaaaa`), sequences
(`abcdef123456`) and vendors' published examples (`AKIAIOSFODNN7EXAMPLE`). Values that are known
test data can be listed in `[lint.secrets] allow` (exact values or `/regex/`).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from pipeline.config import CONFIG_FILE
from pipeline.corpus import Item
from pipeline.lint.findings import Finding
from pipeline.lint.rule import FileRule, LintContext
from pipeline.lint.secrets import Family, shared_scanner


class SecretsRule(FileRule):
    """Base of the `secrets.*` rules: report one family of the shared scan."""

    family: ClassVar[Family]
    remedy: ClassVar[str]

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        settings = context.settings
        config = settings.lint.secrets
        self._scanner = shared_scanner(
            config.entropy_threshold,
            tuple(config.allow),
            settings.source or settings.root / CONFIG_FILE,
        )

    def options(self) -> Mapping[str, Any]:
        config = self.context.settings.lint.secrets
        return {"entropy_threshold": config.entropy_threshold, "allow": tuple(config.allow)}

    def fingerprint(self) -> str:
        """Cached results also depend on detect-secrets' patterns, so on its version."""
        return f"{super().fingerprint()}:detect-secrets {_detect_secrets_version()}"

    def check(self, item: Item) -> Iterator[Finding]:
        for detection in self._scanner.of_family(item, self.family):
            yield self.at(
                item,
                detection.start,
                detection.end,
                f"{detection.label} ({detection.masked}): {self.remedy}",
            )


@lru_cache(maxsize=1)
def _detect_secrets_version() -> str:
    try:
        return importlib.metadata.version("detect-secrets")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a broken install
        return "unknown"


class CloudKey(SecretsRule):
    """A cloud provider's key: AWS access key IDs and secret keys, Google API keys, Azure keys.

    Finds AWS access key IDs (`AKIA…`, `ASIA…`), AWS secret access keys assigned next to an
    `aws…secret…` name, Google API keys (`AIza…`) and Azure storage account and shared access
    keys (`AccountKey=…`, `SharedAccessKey=…`).

    A cloud key can run up bills and read or delete data. Deactivate and rotate it in the
    provider's console first (deleting the line does not help: the key stays in git history
    and may already have been synced), then remove it from the file. Write a placeholder such
    as `AKIAXXXXXXXXXXXXXXXX` or `<your-access-key-id>`; AWS's documented example
    `AKIAIOSFODNN7EXAMPLE` is accepted.
    """

    id = "secrets.cloud-key"
    family = Family.CLOUD_KEY
    remedy = "rotate it in the cloud console, then remove it from the file"


class PaymentKey(SecretsRule):
    """A payment provider's secret key: Stripe (`sk_live_`, `rk_live_`, test keys, `whsec_`).

    Finds Stripe secret and restricted keys, live and test mode, webhook signing secrets
    (`whsec_…`) and Square OAuth secrets (`sq0csp-…`).

    A live key moves money; a test key still opens the account's test data and settings. Roll
    the key in the provider's dashboard, then remove it from the file. Write a placeholder such
    as `sk_live_...` or `sk_test_<your-key>`; Stripe's published documentation test keys are
    accepted.
    """

    id = "secrets.payment-key"
    family = Family.PAYMENT_KEY
    remedy = "roll it in the payment provider's dashboard, then remove it from the file"


class VcsToken(SecretsRule):
    """A code host's access token: GitHub (`ghp_`, `gho_`, `ghs_`, `github_pat_`) or GitLab (`glpat-`).

    Finds GitHub personal, OAuth, app and refresh tokens and fine-grained personal access
    tokens, and GitLab personal, deploy, runner, CI/CD, trigger and other tokens.

    A token opens the repositories and settings its owner can reach. Revoke it in the host's
    settings (GitHub: Settings → Developer settings; GitLab: Access tokens), then remove it
    from the file. Write a placeholder such as `ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX` or
    `<your-token>`.
    """

    id = "secrets.vcs-token"
    family = Family.VCS_TOKEN
    remedy = "revoke it in the code host's settings, then remove it from the file"


class ChatToken(SecretsRule):
    """A chat service's token or webhook: Slack (`xoxb-`, `xoxp-`, webhooks), Discord, Telegram.

    Finds Slack bot, user and app tokens (`xox[abpr]-…`, `xapp-…`) and incoming webhook URLs
    (`https://hooks.slack.com/services/…`), Discord bot tokens and webhook URLs, and Telegram bot
    tokens (the last two only in files that name the service).

    Anyone with a token can read or post as the app; anyone with a webhook URL can post into
    the channel. Revoke or regenerate it in the workspace's app settings, then remove it from
    the file. Write a placeholder such as `xoxb-your-token` or
    `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`.
    """

    id = "secrets.chat-token"
    family = Family.CHAT_TOKEN
    remedy = "revoke or regenerate it in the app's settings, then remove it from the file"


class ServiceKey(SecretsRule):
    """Another service's API key in a known format: OpenAI, Anthropic, SendGrid, npm, PyPI, …

    Finds OpenAI and Anthropic API keys, SendGrid and Mailchimp API keys, npm and PyPI
    publishing tokens and Hugging Face tokens.

    These keys spend money, send mail as you or publish packages in your name. Revoke the key
    in the service's dashboard, then remove it from the file. Write a placeholder such as
    `<your-api-key>`.
    """

    id = "secrets.service-key"
    family = Family.SERVICE_KEY
    remedy = "revoke it in the service's dashboard, then remove it from the file"


class PrivateKey(SecretsRule):
    """A private key block (`-----BEGIN … PRIVATE KEY-----`) with a real body.

    Finds PEM and OpenSSH private keys (RSA, DSA, EC, PKCS#8, encrypted), PGP private key
    blocks and PuTTY key files. The finding covers the whole block.

    A private key is an identity: whoever has it can sign, decrypt or log in as its owner.
    Treat it as compromised: replace the key pair and withdraw the public key wherever it is
    trusted, then remove the block from the file. A block whose body is elided
    (`-----BEGIN RSA PRIVATE KEY-----`, `...`, `-----END RSA PRIVATE KEY-----`) or a
    placeholder (`<your private key>`) is accepted.
    """

    id = "secrets.private-key"
    family = Family.PRIVATE_KEY
    remedy = "replace the key pair, then remove the block from the file"


class Jwt(SecretsRule):
    """A JSON Web Token (`eyJ…`).

    Finds tokens whose header and payload decode to JSON. A JWT is a bearer credential until
    it expires (often never, for API tokens), and its payload may hold personal data.

    Revoke the token, or rotate the signing key if it cannot be revoked, then remove it from
    the file. Write a placeholder such as `<your-jwt>` or a truncated `eyJhbGciOi...`;
    jwt.io's sample token (`"name": "John Doe"`) is accepted.
    """

    id = "secrets.jwt"
    family = Family.JWT
    remedy = "revoke it or rotate the signing key, then remove it from the file"


class BearerToken(SecretsRule):
    """A token in an HTTP `Authorization: Bearer …` (or `Token …`) header.

    Finds random-looking values after `Authorization: Bearer` or `Authorization: Token`, as in
    `curl -H 'Authorization: Bearer …'` examples (tokens in a known format are reported by
    their own rule).

    Whoever has the token can call the API as its owner. Revoke it, then write a placeholder:
    `Authorization: Bearer <your-token>`, `Bearer $TOKEN` or `Bearer YOUR_ACCESS_TOKEN` are
    accepted.
    """

    id = "secrets.bearer-token"
    family = Family.BEARER_TOKEN
    remedy = "revoke it, then write a placeholder such as <your-token>"


class BasicAuth(SecretsRule):
    """A password in a URL (`https://user:password@host`) or an `Authorization: Basic` header.

    Finds URLs whose user-info part carries a password, and `Basic` headers whose decoded
    `user:password` has one. Stock passwords (`password`, `changeme`, a password equal to the
    user name, as in `postgres://postgres:postgres@localhost`), placeholders
    (`https://user:<password>@host`, `:${DB_PASSWORD}@`) and hosts under the reserved example
    domains (`example.com`, `*.example`, `*.test`) are accepted.

    Change the password, then remove it from the file: take the password from an environment
    variable or a credentials helper in the example instead.
    """

    id = "secrets.basic-auth"
    family = Family.BASIC_AUTH
    remedy = "change the password, then remove it from the file"


class HighEntropy(SecretsRule):
    """A random-looking value assigned to a key-like name (`api_key = "…"`, `X-API-Key: …`).

    Finds values after names such as `api_key`, `secret`, `client_secret`, `password`, `token`,
    `access_key` or `private_key` — in code (`api_key = "…"`, `"token": "…"`), configuration
    (`password: …`, `API_KEY=…`), HTTP headers (`X-API-Key: …`), URLs (`?token=…`) and command
    lines (`--password …`) — when the value looks machine-made: at least 12 characters (16 for
    hex), letters and digits, and Shannon entropy of at least `[lint.secrets]
    entropy_threshold` bits per character (default 3.5; half a bit less for hex). Names that
    are not secrets (`…_id`, `…_url`, `…_file`, `public_key`, `site_key`) and values that are
    references (`os.environ["API_KEY"]`, `process.env.TOKEN`), paths, URLs or UUIDs are left
    alone.

    If the value is a credential, revoke or rotate it, then remove it from the file and write
    a placeholder (`api_key = "<your-api-key>"`, `API_KEY=${API_KEY}`). If it is not (a
    checksum, a sample value), list it in `[lint.secrets] allow`.
    """

    id = "secrets.high-entropy"
    family = Family.HIGH_ENTROPY
    remedy = (
        "if it is a credential, rotate it and remove it from the file; if not, list it in "
        "[lint.secrets] allow"
    )


RULES: tuple[type[SecretsRule], ...] = (
    CloudKey,
    PaymentKey,
    VcsToken,
    ChatToken,
    ServiceKey,
    PrivateKey,
    Jwt,
    BearerToken,
    BasicAuth,
    HighEntropy,
)
"""Every `secrets.*` rule, in the order they are listed."""
