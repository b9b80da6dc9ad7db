"""Links in payloads: every relative link becomes its target's public URL on the site.

The assistant repeats the links it is given; a repository path (`../../docs/billing/plans.md`)
means nothing to a customer. So when a payload is rendered, a relative or root-relative link is
resolved as the site generator resolves it (:mod:`pipeline.corpus.links`, the resolver lint uses)
and replaced by the target's public URL, its `#fragment` kept; a link to internal content, to a
page with no public URL, or to a file that is not content keeps only its label. A link written
with templates (`{{< relref "x.md" >}}`, `{{ site.baseurl }}/article/x/`, `{% link x.md %}`)
resolves as lint resolves it; one still holding an expression `[lint.links] templates` does
not substitute keeps only its label, and one substituted into a full URL is that URL.

Resolution needs every content file's frontmatter (URLs, slugs, aliases, audiences), so for a
site with a `public_base_url` the index is built from the frontmatter of every content file (no
Markdown parse) even when the plan reads only changed files, and its fingerprint is part of the
target's configuration fingerprint: a change to any page's URL re-renders every item. A site
without `public_base_url` publishes no page URLs: its relative links keep only their label, and
nothing beyond the changed files is read (a plan's cost follows the change).

`[lint.links] unchecked` patterns are matched under `[lint] pattern_timeout` for the whole
index (:class:`pipeline.corpus.bounded.BoundedMatcher`; sync does not import lint's limits): a
link they give up on keeps only its label, and :meth:`SiteLinks.problems` says so in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote

from pipeline.config import EnvironmentConfig, LinksConfig, Settings, SiteConfig
from pipeline.corpus.links import (
    LinkIndex,
    PageInfo,
    has_template,
    is_external,
    public_url,
    substitute,
)
from pipeline.corpus.loader import discover, read_text, relative_path
from pipeline.corpus.parse import parse_frontmatter

_FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"
"""Characters a URL fragment keeps as they are (RFC 3986); others are %-escaped."""


class SiteLinks:
    """Public URLs of one site's pages, and links rewritten to them."""

    def __init__(
        self,
        index: LinkIndex | Callable[[], LinkIndex],
        site: SiteConfig,
        config: LinksConfig | None = None,
    ) -> None:
        """`config` (`[lint.links]`; default: `index`'s) substitutes template expressions
        without reading every page's frontmatter."""
        self._index = index
        self.site = site
        if config is None:
            config = index.settings if isinstance(index, LinkIndex) else LinksConfig()
        self._templates = config.templates

    @classmethod
    def for_site(cls, settings: Settings, env: EnvironmentConfig, site_id: str) -> SiteLinks:
        """The links of `site_id` of `env`; the frontmatter of every content file is read only
        when the site publishes URLs (`public_base_url`) and a link needs one."""
        site = env.sites.get(site_id) or SiteConfig()
        return cls(lambda: content_index(settings), site, settings.lint.links)

    @property
    def published(self) -> bool:
        """Whether the site has public URLs for its pages at all."""
        return bool(self.site.public_base_url)

    @property
    def index(self) -> LinkIndex:
        if not isinstance(self._index, LinkIndex):
            self._index = self._index()
        return self._index

    def public_url(self, path: str) -> str | None:
        """Where customers open the content file at `path`, or None."""
        if not self.published:
            return None
        page = self.index.pages.get(path)
        if page is None:
            return None
        return public_url(
            self.index, page, self.site.public_base_url, self.site.url_pattern, self.site.audiences
        )

    def rewrite(self, from_path: str, href: str) -> str | None:
        """What a link to `href` in `from_path` becomes in the payload: an external URL as it
        is, a page's public URL with its fragment, or None (keep only the label).

        A link holding template expressions is read as lint reads it: `[lint.links]
        templates` substituted (an external URL then is one), a `ref`/`relref` shortcode or
        Liquid `link` tag naming its page; one still holding an expression has no URL."""
        written = unquote(href) if "%7b" in href.lower() else href
        templated = has_template(written)
        if templated:
            substituted = substitute(written, self._templates)
            if is_external(substituted) and not has_template(substituted):
                return substituted
        elif is_external(href):
            return href
        if not self.published:
            return None
        found = self.index.resolve(from_path, href)
        if found.kind != "page":
            return None
        if found.target == from_path and (
            not href.split("#")[0] or (templated and found.reason == "ref")
        ):
            return None  # the page itself: an in-page anchor tells a reader nothing
        url = self.public_url(found.target)
        if url is None:
            return None
        return f"{url}#{quote(found.fragment, safe=_FRAGMENT_SAFE)}" if found.fragment else url

    def fingerprint(self) -> str:
        site = self.site
        if not self.published:  # only `templates` can still make a URL (an external one)
            templates = sorted(self._templates.items())
            return f"unpublished:{templates!r}" if templates else "unpublished"
        return f"{self.index.fingerprint()}:{site.public_base_url}:{site.url_pattern}"

    def problems(self) -> list[str]:
        """What the plan should say about links it could not rewrite as lint would: links the
        `[lint.links] unchecked` patterns ran out of time on (empty when none did)."""
        if not isinstance(self._index, LinkIndex) or not self._index.timed_out:
            return []
        timed_out = self._index.timed_out
        path, url = timed_out[0]
        shown = url if len(url) <= 60 else url[:57] + "..."
        count = len(timed_out)
        return [
            f"[lint.links] unchecked: the patterns ran out of their time limit ([lint] "
            f"pattern_timeout) on {count} link{'s' if count != 1 else ''} (first: '{shown}' in "
            f"{path}), so {'they keep' if count != 1 else 'it keeps'} only the label in the "
            "payload; a pattern can take exponential time (kbsync lint warns which): rewrite it"
        ]


def content_index(settings: Settings) -> LinkIndex:
    """A :class:`LinkIndex` of every content file under the content root (frontmatter only)."""
    pages: list[PageInfo] = []
    roots = [settings.content_root] if settings.content_root.is_dir() else []
    for path in discover(roots, settings.root):
        text, problem = read_text(path, settings.root)
        if text is None or problem is not None:
            continue
        rel = relative_path(path, settings.root)
        meta = parse_frontmatter(rel, text)
        if meta is not None:
            pages.append(PageInfo.from_meta(rel, meta))
    root = settings.root
    links = settings.lint.links
    matcher = None
    if links.unchecked:
        from pipeline.corpus.bounded import BoundedMatcher

        matcher = BoundedMatcher(links.unchecked, settings.lint.pattern_timeout)
    return LinkIndex(
        pages,
        settings.content_dir,
        links,
        exists=lambda p: (root / p).exists(),
        matcher=matcher,
    )
