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

What a render hook or plugin does to a link, kbsync cannot see: links matching `[lint.links]
unchecked` are `unchecked` (reason `hook`). Those patterns are the user's, so they are matched by
a callable the index is given, under a time limit: lint passes its limited patterns
(:mod:`pipeline.lint.limits`), sync the model's :class:`pipeline.corpus.bounded.BoundedMatcher`.
A link the patterns gave up on is `unchecked` too (reason `timeout`: neither checked nor
reported broken) and is listed in `LinkIndex.timed_out`. With `getpage`, a link also names a content file as Hugo's `GetPage`
finds it (the lookup Hugo's link render hooks make). Hugo's `ref` and `relref` shortcodes name a
content file that way too. Root-relative links to files are looked up in the content root and
then in `asset_dirs`; with `check_assets = false` a missing file that is not a page is
`unchecked` (its folder is not in the repository).

Why one module of ~550 lines: URLs of pages, resolution and anchors are one model of the site
generator that lint and sync must share exactly; split, a change to one half (a new
`permalink` field, how `aliases` resolve) could silently disagree with the other.
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

_REF = re.compile(r"\{\{([<%])\s*(relref|ref)\s+(.*?)\s*[>%]\}\}", re.S)
"""Hugo's `{{< ref "path#anchor" >}}` / `{{% relref path="x.md" %}}` shortcodes."""
_LIQUID_LINK = re.compile(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}")
"""Jekyll's `{% link _articles/x.md %}`: a source file from the site root, exact."""
_REF_ARG = re.compile(r'(?:(\w+)\s*=\s*)?("[^"]*"|`[^`]*`|[^\s"`=]+)')
_PAGE_SUFFIXES = (".md", ".markdown")
_NOT_ASSETS = (*_PAGE_SUFFIXES, ".html", ".htm")
LinkMatcher = Callable[[str], bool]
"""Whether a `[lint.links] unchecked` pattern is found in a link as written; raises
:class:`TimeoutError` when the patterns ran out of time before telling."""

Kind = Literal["external", "page", "file", "missing", "outside", "unchecked"]
Reason = Literal["", "template", "hook", "timeout", "asset", "ref"]


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
    reason: Reason = ""
    """Why a link is `unchecked` (`template`, `hook`, `timeout`, `asset`), or `ref` when a `ref`/`relref`
    shortcode named the target."""


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


def substitute(url: str, templates: Mapping[str, str]) -> str:
    """`url` with the template expressions `templates` (`[lint.links] templates`) knows
    replaced, spaces inside an expression ignored (`{{ site.baseurl }}` = `{{site.baseurl}}`)."""
    if not has_template(url):
        return url
    return _substitute(url, _prepared(templates))


def _prepared(templates: Mapping[str, str]) -> list[tuple[str, str]]:
    """The expressions squeezed, longest first (so one holding another wins)."""
    return sorted(((_squeeze(k), v) for k, v in templates.items()), key=lambda kv: -len(kv[0]))


def _substitute(url: str, prepared: list[tuple[str, str]]) -> str:
    squeezed = _TEMPLATE.sub(lambda m: _squeeze(m.group(0)), url)
    for expression, value in prepared:
        squeezed = squeezed.replace(expression, value)
    return squeezed


class LinkIndex:
    """Every content file by path and by the URLs it is served at; resolves links (each link
    once: the answer is kept, for the several rules and payloads that ask)."""

    def __init__(
        self,
        pages: Iterable[PageInfo],
        content_dir: str,
        settings: LinksConfig,
        exists: Callable[[str], bool] | None = None,
        matcher: LinkMatcher | None = None,
    ) -> None:
        """`matcher` tells the links `[lint.links] unchecked` names (default: a
        :class:`~pipeline.corpus.bounded.BoundedMatcher` of those patterns, when there are)."""
        self.settings = settings
        self.content_dir = content_dir.strip("/")
        self.pages: dict[str, PageInfo] = {page.path: page for page in pages}
        self._exists = exists or (lambda _path: False)
        self._templates = _prepared(settings.templates)
        if matcher is None and settings.unchecked:
            from pipeline.corpus.bounded import BoundedMatcher

            matcher = BoundedMatcher(settings.unchecked)
        self._matcher = matcher
        self._resolved: dict[tuple[str, str], Resolution] = {}
        self.timed_out: list[tuple[str, str]] = []
        """(linking file, link) of every link the `unchecked` patterns gave up on, in order."""
        self._asset_dirs = [d.strip("/") for d in settings.asset_dirs if d.strip("/.")]
        self.by_url: dict[str, str] = {}
        self.by_content_path: dict[str, str] = {}
        self._page_urls: dict[str, str] = {}
        for page in sorted(self.pages.values(), key=lambda p: p.path):
            url = self._url_of(page)
            self._page_urls[page.path] = url
            for key in (url, self._path_url(page.path), *self._aliases(page)):
                self.by_url.setdefault(_url_key(key), page.path)
            for key in _content_keys(self.site_path(page.path)):
                self.by_content_path.setdefault(key, page.path)

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

    def _aliases(self, page: PageInfo) -> Iterable[str]:
        """The page's `aliases` as site paths: a relative one is relative to the page's section
        (the folder its URL is in), as Hugo reads it."""
        section = posixpath.dirname(self._path_url(page.path).rstrip("/")) or "/"
        for alias in page.aliases:
            if is_external(alias):
                continue
            yield (
                alias
                if alias.startswith("/")
                else posixpath.normpath(posixpath.join(section, alias))
            )

    def page_url(self, path: str) -> str:
        """The site path (`/learning/api/`) of the content file `path`."""
        return self._page_urls.get(path) or self._path_url(path)

    # --- resolving ------------------------------------------------------------------------------

    def substitute(self, url: str) -> str:
        """`url` with the template expressions `[lint.links] templates` knows replaced."""
        return _substitute(url, self._templates) if has_template(url) else url

    def resolve(self, from_path: str, url: str) -> Resolution:
        """Where `url`, written in the file `from_path`, leads (`url` as written, or as a Markdown
        parser gives it: `{{` escaped to `%7B%7B`)."""
        key = (from_path, url)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(from_path, url)
        return found

    def _resolve(self, from_path: str, written: str) -> Resolution:
        url = written.strip()
        if "%7b" in url.lower():
            url = unquote(url)
        if self._matcher is not None:
            try:
                if self._matcher(url):
                    return Resolution("unchecked", reason="hook")
            except TimeoutError:
                self.timed_out.append((from_path, written))
                return Resolution("unchecked", reason="timeout")
        ref = _REF.search(url)
        if ref is not None:
            return self._by_ref(from_path, url, ref)
        liquid = _LIQUID_LINK.search(url)
        if liquid is not None:
            before, after = self.substitute(url[: liquid.start()]), url[liquid.end() :]
            if before.strip("/") == "" and (not after or after.startswith("#")):
                return self._by_liquid_link(liquid.group(1), unquote(after[1:]))
        url = self.substitute(url)
        if has_template(url):
            return Resolution("unchecked", reason="template")
        if is_external(url):
            return Resolution("external")
        link_path, fragment = split_url(url)
        found = self._resolve_path(from_path, link_path, fragment)
        if found.kind != "missing":
            return found
        if self.settings.getpage:
            page = self.get_page(from_path, link_path)
            if page is not None:
                return Resolution("page", page, fragment)
            asset = self._in_asset_dirs(link_path)
            if asset is not None:
                return Resolution("file", asset, fragment)
        if not self.settings.check_assets and is_asset(link_path):
            return Resolution("unchecked", found.target, fragment, reason="asset")
        return found

    def _resolve_path(self, from_path: str, link_path: str, fragment: str) -> Resolution:
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

    def get_page(self, from_path: str, ref: str) -> str | None:
        """The content file Hugo's `GetPage` finds for `ref` from the page `from_path`: by path
        under the content root, with or without extension, ignoring case; a relative `ref`
        first from the page's folder, then from the content root."""
        ref = ref.strip()
        if not ref or is_external(ref):
            return None
        if not ref.startswith("/"):
            folder = posixpath.dirname(self.site_path(from_path))
            near = _content_key(posixpath.join(folder, ref))
            if near is not None and near in self.by_content_path:
                return self.by_content_path[near]
        key = _content_key(ref)
        return None if key is None else self.by_content_path.get(key)

    def _by_liquid_link(self, source: str, fragment: str) -> Resolution:
        """Jekyll's `link` tag: the exact source path from the site root (Jekyll fails the
        build when it does not exist)."""
        relative = _join("", unquote(source).lstrip("/"))
        if relative is None:
            return Resolution("outside")
        target = posixpath.join(self.content_dir, relative) if self.content_dir else relative
        if target in self.pages:
            return Resolution("page", target, fragment, reason="ref")
        if self._exists(target):
            return Resolution("file", target, fragment, reason="ref")
        return Resolution("missing", target, fragment, reason="ref")

    def _by_ref(self, from_path: str, url: str, ref: re.Match[str]) -> Resolution:
        """A `ref`/`relref` shortcode: the content file it names as `GetPage` finds it (Hugo
        fails the build when there is none), and its `#anchor`."""
        target = _ref_path(ref.group(3))
        rest = url[ref.end() :]
        if target is None or has_template(url[: ref.start()] + rest):
            return Resolution("unchecked", reason="template")
        path, _, fragment = target.partition("#")
        if not fragment and rest.startswith("#"):
            fragment = rest[1:]
        fragment = unquote(fragment)
        if not path:
            return Resolution("page", from_path, fragment, reason="ref")
        page = self.get_page(from_path, path)
        if page is not None:
            return Resolution("page", page, fragment, reason="ref")
        return Resolution("missing", path, fragment, reason="ref")

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
        found = self._at_path(inside.rstrip("/") if relative else self.content_dir, fragment)
        if found.kind == "missing" and relative:
            asset = self._in_asset_dirs(relative)
            if asset is not None:
                return Resolution("file", asset, fragment)
        return found

    def _in_asset_dirs(self, link_path: str) -> str | None:
        """The file `link_path` (taken from the site root) in the first of `asset_dirs` that
        has it: Hugo serves `static/` at `/` and finds global resources in `assets/`."""
        relative = posixpath.normpath(link_path.strip("/")) if link_path.strip("/") else ""
        if not relative or relative.startswith(".."):
            return None
        for folder in self._asset_dirs:
            candidate = f"{folder}/{relative}"
            if self._exists(candidate):
                return candidate
        return None

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
    return anchor_ids([("h", title) for title in titles], style)


AnchorEvent = tuple[str, str]
"""One source of an anchor, in document order: `("h", heading text)`, `("t", definition term)`
(an id with Hugo/goldmark, none with kramdown) or `("x", explicit id)` (`{#id}`, HTML `id`)."""


def anchor_ids(events: Iterable[AnchorEvent], style: str) -> list[str]:
    """Every id a page with these anchor sources has. Headings and definition terms share one
    register, as goldmark's do: an id already taken (by either, or by an explicit id) gets the
    first free `-1`, `-2` suffix — a term `cascade` before a heading `Cascade` makes the
    heading `#cascade-1`."""
    events = list(events)
    makers = {"github": [github_slug], "kramdown": [kramdown_slug]}.get(
        style, [github_slug, kramdown_slug]
    )
    ids: set[str] = set()
    for make in makers:
        taken = {text for kind, text in events if kind == "x"}
        ids.update(taken)
        for kind, text in events:
            if kind == "x" or (kind == "t" and make is kramdown_slug):
                continue
            slug = candidate = make(text)
            count = 0
            while candidate in taken:
                count += 1
                candidate = f"{slug}-{count}"
            taken.add(candidate)
            ids.add(candidate)
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


def is_asset(link_path: str) -> bool:
    """A link to a file that is not a page: its last part has an extension other than a
    Markdown or HTML one (`img/a.png`, `form.pdf`; not `../api/`, `setup.md`, `install`)."""
    name = posixpath.basename(link_path)
    if not name or link_path.endswith("/"):
        return False
    stem, extension = posixpath.splitext(name)
    return bool(stem) and bool(extension) and extension.lower() not in _NOT_ASSETS


def _content_key(path: str) -> str | None:
    """A content path as `GetPage` compares it: from the content root, no extension, no
    trailing slash, ignoring case; None when it climbs above the root."""
    relative = posixpath.normpath(path.strip().lstrip("/") or ".")
    if relative == ".." or relative.startswith("../"):
        return None
    stem, extension = posixpath.splitext(relative)
    if extension.lower() in _PAGE_SUFFIXES:
        relative = stem
    return relative.casefold() if relative != "." else ""


def _content_keys(site_path: str) -> list[str]:
    """The keys `GetPage` finds the content file at `site_path` by (a folder page by its
    folder too)."""
    keys = [_content_key(site_path) or ""]
    folder, name = posixpath.split(site_path)
    if name in FOLDER_PAGES:
        keys.append(folder.casefold())
    return keys


def _ref_path(arguments: str) -> str | None:
    """The path a `ref`/`relref` shortcode's arguments name: the first positional argument or
    `path=`, quoted with `"…"` or backticks, or bare; None if there is none."""
    if arguments.count('"') % 2 or arguments.count("`") % 2:
        return None  # an unclosed quote: Hugo fails the build, kbsync cannot tell the path
    positional: str | None = None
    for match in _REF_ARG.finditer(arguments):
        name, value = match.group(1), match.group(2)
        if value[:1] in ('"', "`"):
            if len(value) < 2 or value[-1] != value[0]:
                return None
            value = value[1:-1]
        if name == "path":
            return value.strip()
        if name is None and positional is None:
            positional = value.strip()
    return positional or None
