"""`internal.*`: team-only material in `audience: public` content.

Whatever a public site is given can be quoted back to any visitor, so public content must not
hold team notes (HTML comments, `TODO`-style markers) or links to hosts only the team can reach.
Content with `audience: internal` may hold all of these.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from pipeline.corpus import Item
from pipeline.lint.findings import Finding
from pipeline.lint.rule import FileRule, RuleWarning

DIRECTIVE = re.compile(r"^<!--\s*kbsync-(?:disable|enable|disable-next-line)\b", re.I)
_URL = re.compile(
    r"\b(?:https?|ftp)://(?:\[[0-9a-f:.%]+\][^\s<>()\[\]\"'`]*|[^\s<>()\[\]\"'`]+)", re.I
)


class HtmlComment(FileRule):
    """An HTML comment in public content.

    Comments are invisible on a rendered page but are text to the assistant, which may quote
    them. Move the note to the pull request or an internal document. kbsync's own directives
    (`<!-- kbsync-disable … -->`) are exempt.
    """

    id = "internal.comment"

    def check(self, item: Item) -> Iterator[Finding]:
        if item.audience != "public":
            return
        for span in item.comment_spans:
            text = item.text[span.start : span.end]
            if DIRECTIVE.match(text):
                continue
            yield self.at(
                item,
                span.start,
                span.end,
                "HTML comment in public content: the assistant sees it; move the note out "
                "of the file",
            )


class Marker(FileRule):
    """A team marker (`INTERNAL`, `TODO`, `FIXME` by default) in public content.

    The markers are set by `[lint] internal_markers`. They are matched as whole words, in upper
    case, in prose and in HTML comments.
    """

    id = "internal.marker"

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        markers = self.context.settings.lint.internal_markers
        self._pattern = (
            re.compile(r"\b(?:" + "|".join(re.escape(m) for m in markers) + r")\b")
            if markers
            else None
        )

    def options(self) -> Mapping[str, Any]:
        return {"internal_markers": tuple(self.context.settings.lint.internal_markers)}

    def check(self, item: Item) -> Iterator[Finding]:
        if item.audience != "public" or self._pattern is None:
            return
        regions = [(0, len(item.prose), item.prose)]
        regions += [(s.start, s.end, item.text) for s in item.comment_spans]
        for start, end, text in regions:
            for match in self._pattern.finditer(text, start, end):
                yield self.at(
                    item,
                    match.start(),
                    match.end(),
                    f"'{match.group()}' marks a team-only note in public content: resolve it "
                    "or move it to an internal document",
                )


_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
"""RFC 2606/6761 names: they never name anyone's host."""


def never_internal(host: str) -> bool:
    """A host no team owns: the reader's own machine (`localhost`, `127.0.0.1`, `::1`, `0.0.0.0`)
    or a documentation name (`example.com`, `docs.example.org`, `*.example`, `*.test`).

    Configuration tables and setup steps are full of them (`http://localhost:1313/`), and a
    visitor opening one reaches their own computer or nothing, never the team's systems.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        return "example" in labels or labels[-1] in _RESERVED_TLDS
    return address.is_loopback or address.is_unspecified


class InternalLink(FileRule):
    """A link to a host only the team can reach, in public content.

    Hosts are set by `[lint] internal_hosts`: name patterns (by default `*.internal`, `*.corp`,
    `*.local`, `*.lan`, `*.intranet`) and address ranges (by default the private ranges
    `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, `fc00::/7`). Visitors cannot open such links
    and they reveal internal systems. Link to public documentation instead. The reader's own
    machine (`localhost`, `127.0.0.1`, `::1`, `0.0.0.0`) and documentation names (`example.com`,
    `*.example`, `*.test`, `*.invalid`) are never internal, whatever the list says: a setup step's
    `http://localhost:1313/` is not a team's host.
    """

    id = "internal.link"

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._names: list[str] = []
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self._ignored: list[str] = []
        for entry in self.context.settings.lint.internal_hosts:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                name = entry.lower().rstrip(".")
                if never_internal(name.removeprefix("*.")):
                    self._ignored.append(entry)
                else:
                    self._names.append(name)
                continue
            address = network.network_address
            if network.prefixlen > 0 and (address.is_loopback or address.is_unspecified):
                self._ignored.append(entry)
            else:
                self._networks.append(network)

    def options(self) -> Mapping[str, Any]:
        return {"internal_hosts": tuple(self.context.settings.lint.internal_hosts)}

    def load_warnings(self) -> list[RuleWarning]:
        settings = self.context.settings
        where = (settings.source or settings.root / "kbsync.toml").name
        return [
            RuleWarning(
                where,
                None,
                self.rule_id,
                f"[lint] internal_hosts entry {entry!r} is ignored: the reader's own machine "
                "and documentation names (localhost, 127.0.0.1, example.com) are never internal "
                "hosts; remove it",
            )
            for entry in self._ignored
        ]

    def is_internal(self, url: str) -> bool:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return False
        if not host:
            return False
        host = host.lower().rstrip(".")
        if never_internal(host):
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return any(
                fnmatch.fnmatchcase(host, name) or host == name.removeprefix("*.")
                for name in self._names
            )
        return any(address in network for network in self._networks)

    def check(self, item: Item) -> Iterator[Finding]:
        if item.audience != "public":
            return
        seen: set[int] = set()
        for link in item.links:
            if self.is_internal(link.url):
                seen.add(link.span.start)
                yield self._finding(item, link.span.start, link.span.end, link.url)
        for match in _URL.finditer(item.text, item.body_start):
            if match.start() in seen or item.is_code(match.start()):
                continue
            if self.is_internal(match.group()):
                yield self._finding(item, match.start(), match.end(), match.group())

    def _finding(self, item: Item, start: int, end: int, url: str) -> Finding:
        host = urlsplit(url).hostname or url
        return self.at(
            item,
            start,
            end,
            f"link to internal host '{host}' in public content: visitors cannot open it; "
            "link to public documentation instead",
        )
