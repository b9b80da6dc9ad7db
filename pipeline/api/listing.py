"""Reading a site's whole document listing, whatever way the service pages it — or refusing.

Uppzy does not document how its listing pages (API.md marks it "assumed"). A listing read only
in part is worse than none: a missing document looks deleted and is created again (a
duplicate). So the reader follows every style it recognises — `page`/`per_page` with `total`,
`offset`/`limit`, cursor tokens, `next` links (body or `Link` header), a bare list — and raises
:class:`IncompleteListingError` when the pages, `total` and what was read disagree, or when no
style fits. It notices a server that ignores its page parameter (the same ids again) and tries
the next style. Detection costs at most one request beyond ceil(n / page size).

The wire facts (keys, tokens, links) are read by :func:`pipeline.api.uppzy.parse_listing`; this
module only decides which request comes next.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.api import uppzy
from pipeline.api.errors import IncompleteListingError, ListingChanged
from pipeline.api.models import RemoteDocument
from pipeline.api.uppzy import ListingPage, ListingStyle
from pipeline.config import PAGINATION_STYLES

MAX_LIST_PAGES = 10_000
"""Requests one listing may take before it is declared endless."""

FetchPage = Callable[[Mapping[str, str | int]], ListingPage]
"""Sends one listing request with this query and parses the answer."""
MapPages = Callable[[Callable[[int], ListingPage], Sequence[int]], list[ListingPage]]
"""Fetches many page numbers (concurrently, in order); the client supplies its pool."""


@dataclass(frozen=True)
class Listing:
    """A whole listing and how it was read: `style` is the paging style found (`page`,
    `offset`, `cursor`, `link`; None for one answer that was all of it), `requests` what it
    cost (the reads of a listing that changed meanwhile included)."""

    documents: list[RemoteDocument]
    style: ListingStyle | None
    requests: int
    total: int | None = None
    """The `total` the service last reported (None when it reports none)."""
    per_page: int = 0
    """The page size asked for."""


@dataclass
class _Read:
    """What has been read so far."""

    found: dict[str, RemoteDocument] = field(default_factory=dict)
    position: int = 0
    """Documents read, repeats included: the next offset."""
    total: int | None = None
    """The largest `total` the service reported (documents created meanwhile raise it)."""
    requests: int = 0
    size: int = 0
    """The page size the service uses, as far as known."""
    totals: list[tuple[int, int]] = field(default_factory=list)
    """(arrival, total) of every answer that told a total. A total that falls means documents
    were deleted while the listing was read: positions shifted back, and a page may have
    skipped documents. One that rises only pushes documents later, and reading on to the end
    still finds every document that existed when the read began."""

    def add(self, page: ListingPage) -> int:
        """Adds `page`'s documents; how many were new."""
        new = 0
        for doc in page.documents:
            if doc.id not in self.found:
                self.found[doc.id] = doc
                new += 1
        self.position += len(page.documents)
        if page.total is not None:
            self.total = max(self.total or 0, page.total)
        self.size = max(self.size, page.limit or 0, len(page.documents))
        return new


class ListingReader:
    """One read of one site's listing (build it per read; see :func:`read_listing`)."""

    def __init__(
        self,
        fetch: FetchPage,
        *,
        site_id: str,
        per_page: int,
        pagination: str = "auto",
        listing_path: str,
        environment: str = "",
        map_pages: MapPages | None = None,
    ) -> None:
        if pagination not in PAGINATION_STYLES:
            raise ValueError(f"unknown pagination style {pagination!r}")
        self._fetch_raw = fetch
        self.site_id = site_id
        self.per_page = per_page
        self.pagination = pagination
        self.listing_path = listing_path
        self.environment = environment
        self._map_pages = map_pages
        self._arrivals = threading.Lock()
        self.read = _Read()
        self.style: ListingStyle | None = None
        """The style the listing turned out to use (after :meth:`documents`)."""

    # -- entry ---------------------------------------------------------------------------

    def documents(self) -> list[RemoteDocument]:
        """Every document of the site, each once, in the order listed."""
        if self.pagination == "auto":
            first = self._fetch(uppzy.listing_params("page", self.per_page, probe=True))
            self.read.add(first)
            self._follow(first, self._detect(first), pinned=False)
        else:
            style: ListingStyle = self.pagination  # type: ignore[assignment]
            first = self._fetch(uppzy.listing_params(style, self.per_page))
            self.read.add(first)
            self._follow(first, style, pinned=True)
        self._check_total()
        return list(self.read.found.values())

    # -- styles --------------------------------------------------------------------------

    def _detect(self, first: ListingPage) -> ListingStyle | None:
        """The style the first answer shows; None when it shows none (to be found out)."""
        if first.next_url is not None:
            return "link"
        if first.cursor is not None or first.says_next:
            return "cursor"
        if first.offset is not None:
            return "offset"
        if first.page is not None:
            return "page"
        return None

    def _follow(self, first: ListingPage, style: ListingStyle | None, *, pinned: bool) -> None:
        if style == "link":
            self._by_links(first)
        elif style == "cursor":
            self._by_cursor(first, pinned=pinned)
        elif style == "offset":
            self._by_offset(first)
        elif style == "page":
            self._by_page(first, verified=first.page is not None or pinned, pinned=pinned)
        else:
            self._by_page(first, verified=False, pinned=False)

    def _by_page(self, first: ListingPage, *, verified: bool, pinned: bool) -> None:
        self.style = "page"
        if self._ends(first, first=True):
            return
        page = 1
        if not verified:
            # A server that pages otherwise answers page 2 with page 1 again: one request
            # tells, before anything is fetched in parallel.
            second = self._fetch(uppzy.listing_params("page", self.per_page, page=2))
            page = 2
            if self._repeats(second, first):
                if pinned:
                    raise self._incomplete(
                        "the service ignores the `page` parameter (page 2 repeats page 1)",
                        style="page",
                    )
                self._after_ignored_page(first)
                return
            self.read.add(second)
            if self._ends(second):
                return
        if self.read.total is not None and self._map_pages is not None and self.read.size:
            last = min(math.ceil(self.read.total / self.read.size), MAX_LIST_PAGES)
            numbers = list(range(page + 1, last + 1))
            if numbers:
                fetched = self._map_pages(self._fetch_page, numbers)
                for number, result in zip(numbers, fetched, strict=True):
                    self._check_page_echo(result, number)
                    page = number
                    if self._stale(result):
                        raise self._incomplete(
                            f"page {number} repeats documents of earlier pages (does the "
                            "service ignore `page`?)",
                            style="page",
                        )
                    self.read.add(result)
                if self.read.total is not None and len(self.read.found) >= self.read.total:
                    return
                if not fetched or self._ends(fetched[-1]):
                    return
        previous_said_more = first.has_more is True
        while True:
            page += 1
            result = self._fetch_page(page)
            self._check_page_echo(result, page)
            if self._stale(result):
                if pinned or self.read.total is not None or previous_said_more:
                    raise self._incomplete(
                        f"page {page} brought no new documents although more were expected",
                        style="page",
                    )
                return
            self.read.add(result)
            previous_said_more = result.has_more is True
            if self._ends(result):
                return

    def _after_ignored_page(self, first: ListingPage) -> None:
        """Page 2 repeated page 1: try offsets; if they repeat too, the list is all or nothing."""
        offset = self._fetch(
            uppzy.listing_params("offset", self.per_page, offset=len(first.documents))
        )
        if offset.documents and not self._repeats(offset, first):
            self.style = "offset"
            self._continue_offset(offset)
            return
        if not offset.documents:
            self.style = "offset"
            return
        more_said = first.has_more is True or (
            first.total is not None and first.total > len(first.documents)
        )
        if more_said or len(first.documents) >= self.per_page:
            raise self._incomplete(
                "the service answers the same documents whatever page or offset is asked "
                "for, and no cursor or next link says how to read the rest",
                style=None,
            )
        self.style = None  # a bare list: the whole listing in one answer

    def _by_offset(self, first: ListingPage) -> None:
        self.style = "offset"
        if not self._ends(first, first=True):
            self._continue_offset(None)

    def _continue_offset(self, pending: ListingPage | None) -> None:
        """Read on by offset; `pending` is an answer fetched but not yet added."""
        while True:
            if pending is None:
                pending = self._fetch(
                    uppzy.listing_params("offset", self.per_page, offset=self.read.position)
                )
            if self._stale(pending):
                raise self._incomplete(
                    f"offset {self.read.position} repeats documents already read",
                    style="offset",
                )
            self.read.add(pending)
            if self._ends(pending):
                return
            pending = None

    def _by_cursor(self, first: ListingPage, *, pinned: bool) -> None:
        self.style = "cursor"
        current = first
        seen: set[tuple[str, str]] = set()
        while current.cursor is not None and current.documents and current.has_more is not False:
            if current.cursor in seen:
                raise self._incomplete(
                    "the service returned a cursor it had returned before", style="cursor"
                )
            seen.add(current.cursor)
            params = uppzy.listing_params("cursor", self.per_page, cursor=current.cursor)
            current = self._fetch(params)
            if self._stale(current):
                raise self._incomplete(
                    "the page after a cursor repeats documents already read", style="cursor"
                )
            self.read.add(current)
        if current.cursor is None and current.has_more is True:
            raise self._incomplete("`has_more` is true but no cursor was given", style="cursor")
        # Full as asked (not as read so far: one short page is the whole of a small site).
        full = len(first.documents) >= self.per_page
        if pinned and first.cursor is None and full and self.read.total is None:
            raise self._incomplete(
                "the first page is full but carries no cursor token", style="cursor"
            )

    def _by_links(self, first: ListingPage) -> None:
        self.style = "link"
        current = first
        seen: set[str] = set()
        while current.next_url is not None and current.documents:
            if current.next_url in seen:
                raise self._incomplete("a `next` link points back to a page already read")
            seen.add(current.next_url)
            params = uppzy.next_link_params(current.next_url, self.listing_path)
            if params is None:
                raise self._incomplete(
                    f"the `next` link {current.next_url!r} leaves the listing; kbsync sends "
                    "its API key nowhere else"
                )
            current = self._fetch(params)
            if self._stale(current):
                raise self._incomplete("a `next` link repeats documents already read")
            self.read.add(current)

    # -- helpers -------------------------------------------------------------------------

    def _fetch(self, params: Mapping[str, str | int]) -> ListingPage:
        self.read.requests += 1
        if self.read.requests > MAX_LIST_PAGES:
            raise self._incomplete(f"the listing did not end after {MAX_LIST_PAGES} requests")
        page = self._fetch_raw(params)
        if page.total is not None:
            with self._arrivals:
                highest = max((total for _, total in self.read.totals), default=page.total)
                self.read.totals.append((len(self.read.totals), page.total))
            if page.total < highest:
                raise self._changed(highest, page.total)
        return page

    def _changed(self, before: int, after: int) -> ListingChanged:
        return ListingChanged(
            f"the document listing of site {self.site_id!r} changed while it was read "
            f"(its total fell from {before} to {after}); a page may have skipped documents",
            endpoint="list_documents",
            hint="run the command again when nobody is deleting the site's documents",
        )

    def _fetch_page(self, number: int) -> ListingPage:
        return self._fetch(uppzy.listing_params("page", self.per_page, page=number))

    def _check_page_echo(self, result: ListingPage, number: int) -> None:
        if result.page is not None and result.page != number:
            raise self._incomplete(
                f"asked for page {number}, the service answered page {result.page}", style="page"
            )

    def _full(self, page: ListingPage) -> bool:
        return len(page.documents) >= max(page.limit or 0, self.read.size, 1)

    def _ends(self, page: ListingPage, *, first: bool = False) -> bool:
        """Whether `page` is the last one, by what it and the pages before it say."""
        if not page.documents or page.has_more is False:
            return True
        if page.has_more is True:
            return False
        if self.read.total is not None:
            return len(self.read.found) >= self.read.total
        # Nothing but the page's length says: a page shorter than the page size is the last.
        size = page.limit or (self.per_page if first else self.read.size)
        return len(page.documents) < size

    def _stale(self, page: ListingPage) -> bool:
        """A non-empty page that brings no document not read before."""
        return bool(page.documents) and all(doc.id in self.read.found for doc in page.documents)

    @staticmethod
    def _repeats(page: ListingPage, first: ListingPage) -> bool:
        return bool(page.documents) and set(page.ids) <= set(first.ids)

    def _check_total(self) -> None:
        totals = [total for _, total in sorted(self.read.totals)]
        total, read = self.read.total, len(self.read.found)
        if totals and totals[0] < totals[-1]:
            # Created while read: every document there at the start was read if at least
            # that many were, and none was more than the last total.
            if not totals[0] <= read <= totals[-1]:
                raise self._incomplete(
                    f"the service reports {totals[0]} then {totals[-1]} documents but "
                    f"{read} were read",
                    style=self.style,
                )
            return
        if total is not None and total != read:
            raise self._incomplete(
                f"the service reports {total} documents but {read} were read",
                style=self.style,
            )

    def _incomplete(self, what: str, *, style: ListingStyle | None = None) -> Exception:
        env = self.environment or "<env>"
        setting = f"[environments.{env}.api] pagination"
        if self.pagination == "auto":
            fix = f'pin {setting} to "page", "offset" or "cursor", whichever Uppzy uses'
        else:
            fix = f'{setting} is "{self.pagination}": set it to "auto" or the style Uppzy uses'
        found = f" (paging by {style})" if style else ""
        return IncompleteListingError(
            f"the document listing of site {self.site_id!r} could not be read whole{found}: "
            f"{what}; nothing is created or deleted on a partial listing",
            endpoint="list_documents",
            hint=f"{fix}; `kbsync probe --env {env} --write` shows how the listing pages",
        )


READS_WHEN_CHANGING = 2
"""Reads of a listing that keeps changing before it is given up."""


def read_listing(
    fetch: FetchPage,
    *,
    site_id: str,
    per_page: int,
    pagination: str = "auto",
    listing_path: str,
    environment: str = "",
    map_pages: MapPages | None = None,
) -> Listing:
    """The whole listing of `site_id`, or :class:`IncompleteListingError`.

    A listing whose total fell while it was read (someone deletes documents right now) is read
    again, once; a second change is :class:`ListingChanged` rather than a guess.
    """
    spent = 0
    for attempt in range(1, READS_WHEN_CHANGING + 1):
        reader = ListingReader(
            fetch,
            site_id=site_id,
            per_page=per_page,
            pagination=pagination,
            listing_path=listing_path,
            environment=environment,
            map_pages=map_pages,
        )
        try:
            documents = reader.documents()
        except ListingChanged:
            spent += reader.read.requests
            if attempt == READS_WHEN_CHANGING:
                raise
            continue
        return Listing(
            documents,
            reader.style,
            spent + reader.read.requests,
            total=reader.read.total,
            per_page=per_page,
        )
    raise AssertionError("unreachable")  # pragma: no cover
