"""Links as the site generator resolves them: which document (and heading) a link names, and a
document's public URL.

Lint (`links.*`) and sync (links in payloads become public URLs) both ask this module, so a
link lint accepts is the link a customer can follow, and neither part imports the other.

A link resolves against a :class:`LinkIndex` of every content file's :class:`PageInfo` (its path
and the frontmatter keys that name its URL). How, per `[lint.links] style`:

- `file`: against the linking file's folder (GitHub, Docusaurus, MkDocs);
- `pretty`: against the page's own URL, as Hugo and Jekyll serve it — `learning/api_guarantees.md`
  is served at `/learning/api_guarantees/`, so `../api/` there is the page at `/learning/api/`
  (`learning/api.md`, or the folder page `learning/api/_index.md`, `index.md` or `README.md`);
- `auto`: a link resolves if either way finds it.

A page's URL is its frontmatter `url` or `permalink`, else `[lint.links] permalink` filled in,
else its path under the content root with the last part replaced by `slug`; `aliases` name it
too. Root-relative links (`/learning/api/`) resolve against the content root after
`[lint.links] base_path` is stripped. Template expressions (`{{ … }}`, `{% … %}`) are
substituted from `[lint.links] templates`; a link still holding one is `unchecked`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from pipeline.config import LinksConfig

FOLDER_PAGES = ("_index.md", "index.md", "README.md", "_index.markdown", "index.markdown")
"""Files that are their folder's page (Hugo branch bundles, page bundles, GitHub READMEs)."""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_SPACE_IN_TEMPLATE = re.compile(r"\s+")

Kind = Literal["external", "page", "file", "missing", "outside", "unchecked"]


@dataclass(frozen=True)
class PageInfo:
    """What resolving a link needs to know of one content file."""

    path: str
    audience: str = "public"
    url: str = ""
    permalink: str = ""
    slug: str = ""
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_meta(cls, path: str, meta: Mapping[str, Any]) -> PageInfo:
        aliases = meta.get("aliases")
        if isinstance(aliases, str):
            aliases = [aliases]
        return cls(
            path=path,
            audience=_text(meta.get("audience")) or "public",
            url=_text(meta.get("url")),
            permalink=_text(meta.get("permalink")),
            slug=_text(meta.get("slug")),
            aliases=tuple(a for a in aliases if isinstance(a, str))
            if isinstance(aliases, list)
            else (),
        )

    def to_json(self) -> list[Any]:
        return [self.path, self.audience, self.url, self.permalink, self.slug, list(self.aliases)]

    @classmethod
    def from_json(cls, data: list[Any]) -> PageInfo:
        return cls(data[0], data[1], data[2], data[3], data[4], tuple(data[5]))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class Resolution:
    """Where a link leads: `kind`, the repository path of its target, and its `#fragment`."""

    kind: Kind
    target: str = ""
    fragment: str = ""


def split_url(url: str) -> tuple[str, str]:
    """The decoded path and fragment of a relative URL (the query dropped)."""
    path, _, fragment = url.partition("#")
    path = path.split("?", 1)[0]
    return unquote(path), unquote(fragment)


def is_external(url: str) -> bool:
    """A URL with a scheme (`https:`, `mailto:`) or a network path (`//host/…`)."""
    return bool(_SCHEME.match(url)) or url.startswith("//")


def has_template(url: str) -> bool:
    return "{{" in url or "{%" in url


class LinkIndex:
    """Every content file by path and by the URLs it is served at; resolves links."""

    def __init__(
        self,
        pages: Iterable[PageInfo],
        content_dir: str,
        settings: LinksConfig,
        exists: Callable[[str], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.content_dir = content_dir.strip("/")
        self.pages: dict[str, PageInfo] = {page.path: page for page in pages}
        self._exists = exists or (lambda _path: False)
        self._templates = sorted(
            ((_squeeze(k), v) for k, v in settings.templates.items()),
            key=lambda kv: -len(kv[0]),
        )
        self.by_url: dict[str, str] = {}
        self._page_urls: dict[str, str] = {}
        for page in sorted(self.pages.values(), key=lambda p: p.path):
            url = self._url_of(page)
            self._page_urls[page.path] = url
            for key in (url, self._path_url(page.path), *page.aliases):
                self.by_url.setdefault(_url_key(key), page.path)

    # --- URLs of pages --------------------------------------------------------------------------

    def site_path(self, path: str) -> str:
        """`path` relative to the content root (unchanged when outside it)."""
        prefix = self.content_dir + "/" if self.content_dir else ""
        return path[len(prefix) :] if prefix and path.startswith(prefix) else path

    def _path_url(self, path: str, slug: str = "") -> str:
        """The URL a generator serves `path` at from its place in the tree (`a/b.md` → `/a/b/`)."""
        folder, name = posixpath.split(self.site_path(path))
        if name in FOLDER_PAGES:
            return f"/{folder}/" if folder else "/"
        stem = slug or posixpath.splitext(name)[0]
        return f"/{folder}/{stem}/" if folder else f"/{stem}/"

    def _url_of(self, page: PageInfo) -> str:
        for own in (page.url, page.permalink):
            if own and not is_external(own):
                return own if own.startswith("/") else "/" + own
        if self.settings.permalink and posixpath.basename(page.path) not in FOLDER_PAGES:
            return fill_pattern(self.settings.permalink, self.site_path(page.path), page.slug)
        return self._path_url(page.path, page.slug)

    def page_url(self, path: str) -> str:
        """The site path (`/learning/api/`) of the content file `path`."""
        return self._page_urls.get(path) or self._path_url(path)

    # --- resolving ------------------------------------------------------------------------------

    def substitute(self, url: str) -> str:
        """`url` with the template expressions `[lint.links] templates` knows replaced."""
        if not has_template(url):
            return url
        squeezed = _TEMPLATE.sub(lambda m: _squeeze(m.group(0)), url)
        for expression, value in self._templates:
            squeezed = squeezed.replace(expression, value)
        return squeezed

    def resolve(self, from_path: str, url: str) -> Resolution:
        """Where `url`, written in the file `from_path`, leads (`url` as written, or as a Markdown
        parser gives it: `{{` escaped to `%7B%7B`)."""
        url = url.strip()
        if "%7b" in url.lower():
            url = unquote(url)
        url = self.substitute(url)
        if has_template(url):
            return Resolution("unchecked")
        if is_external(url):
            return Resolution("external")
        link_path, fragment = split_url(url)
        if not link_path:
            return Resolution("page", from_path, fragment)
        if link_path.startswith("/"):
            return self._from_root(link_path, fragment)
        style = self.settings.style
        found: Resolution | None = None
        if style in ("file", "auto"):
            found = self._by_file(from_path, link_path, fragment)
            if found.kind in ("page", "file") or style == "file":
                return found
        pretty = self._by_url(from_path, link_path, fragment)
        if pretty.kind in ("page", "file") or found is None or link_path.endswith("/"):
            return pretty  # a missing `../x/` is a page URL: say where that page would be
        return found

    def _by_file(self, from_path: str, link_path: str, fragment: str) -> Resolution:
        target = _join(posixpath.dirname(from_path), link_path)
        if target is None:
            return Resolution("outside")
        return self._at_path(target, fragment, link_path.endswith("/"))

    def _at_path(self, target: str, fragment: str, folder: bool = False) -> Resolution:
        if not folder and target in self.pages:
            return Resolution("page", target, fragment)
        for name in FOLDER_PAGES:
            page = f"{target}/{name}" if target else name
            if page in self.pages:
                return Resolution("page", page, fragment)
        if self._exists(target):
            return Resolution("file", target, fragment)
        return Resolution("missing", target, fragment)

    def _by_url(self, from_path: str, link_path: str, fragment: str) -> Resolution:
        base = self.page_url(from_path) if from_path in self.pages else self._path_url(from_path)
        joined = posixpath.normpath(posixpath.join(base, link_path))
        if joined.startswith("//"):
            joined = joined[1:]
        return self._from_root(joined + ("/" if link_path.endswith("/") else ""), fragment)

    def _from_root(self, site_path: str, fragment: str) -> Resolution:
        base = self.settings.base_path.rstrip("/")
        if base and (site_path == base or site_path.startswith(base + "/")):
            site_path = site_path[len(base) :] or "/"
        page = self.by_url.get(_url_key(site_path))
        if page is not None:
            return Resolution("page", page, fragment)
        relative = posixpath.normpath(site_path.lstrip("/")) if site_path.strip("/") else ""
        if relative.startswith(".."):
            return Resolution("outside")
        inside = posixpath.join(self.content_dir, relative) if self.content_dir else relative
        return self._at_path(inside.rstrip("/") if relative else self.content_dir, fragment)

    def fingerprint(self) -> str:
        """A digest of everything resolution depends on but the linking file itself."""
        digest = hashlib.sha256(repr(self.settings).encode())
        for path in sorted(self.pages):
            digest.update(repr(self.pages[path].to_json()).encode() + b"\0")
        return digest.hexdigest()


def fill_pattern(pattern: str, site_path: str, slug: str = "") -> str:
    """A URL pattern (`{dir}/{slug}/`) filled in for the file at `site_path` (under the content
    root); a folder page's `{slug}` and `{name}` are empty. Repeated slashes collapse."""
    folder, name = posixpath.split(site_path)
    stem = "" if name in FOLDER_PAGES else posixpath.splitext(name)[0]
    filled = (
        pattern.replace("{dir}", folder)
        .replace("{slug}", (slug or stem) if stem else "")
        .replace("{name}", stem)
    )
    return re.sub(r"/{2,}", "/", "/" + filled.lstrip("/"))


def public_url(
    index: LinkIndex, page: PageInfo, base_url: str, pattern: str, audiences: Iterable[str]
) -> str | None:
    """Where customers open `page` on a site publishing `audiences` under `base_url` with
    `pattern`; None when it has no public URL (internal, or neither `url` nor `base_url`)."""
    if page.audience == "internal" or page.audience not in audiences:
        return None
    if page.url and is_external(page.url):
        return page.url
    if not base_url:
        return None
    base = base_url.rstrip("/")
    own = page.url or page.permalink
    if own:
        return base + (own if own.startswith("/") else "/" + own)
    return base + fill_pattern(pattern, index.site_path(page.path), page.slug)


# --- anchors --------------------------------------------------------------------------------------


def github_slug(text: str) -> str:
    """GitHub's and Hugo's (goldmark `autoHeadingIDType = "github"`) heading id."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def kramdown_slug(text: str) -> str:
    """kramdown's (Jekyll's) heading id: only letters, digits, spaces and hyphens, everything
    before the first letter dropped, spaces to hyphens; `section` when nothing is left."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"[^a-zA-Z0-9 -]", "", text)
    text = re.sub(r"^[^a-zA-Z]+", "", text)
    return text.replace(" ", "-").lower() or "section"


def heading_ids(titles: Iterable[str], style: str) -> list[str]:
    """The ids the generator gives headings `titles` (in order; repeats get `-1`, `-2`)."""
    makers = {"github": [github_slug], "kramdown": [kramdown_slug]}.get(
        style, [github_slug, kramdown_slug]
    )
    ids: set[str] = set()
    for make in makers:
        seen: dict[str, int] = {}
        for title in titles:
            slug = make(title)
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            ids.add(f"{slug}-{count}" if count else slug)
    return sorted(ids)


def _squeeze(expression: str) -> str:
    """`{{ site.baseurl }}` and `{{site.baseurl}}` alike."""
    return _SPACE_IN_TEMPLATE.sub("", expression)


def _url_key(url: str) -> str:
    """A site path compared without its trailing slash, `index.html` or `.html`, ignoring case
    (Hugo lower-cases the URLs it makes from file names: `methods/page/Date.md` is served at
    `/methods/page/date/`)."""
    key = url.split("#", 1)[0].split("?", 1)[0]
    key = unquote(key)
    for suffix in ("/index.html", ".html"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return "/" + key.strip("/").casefold()


def _join(folder: str, link_path: str) -> str | None:
    joined = posixpath.join(folder, link_path)
    if not joined:
        return None
    target = posixpath.normpath(joined)
    if target == ".." or target.startswith("../") or posixpath.isabs(target):
        return None
    return "" if target == "." else target
