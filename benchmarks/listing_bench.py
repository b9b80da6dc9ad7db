"""Benchmark: reading a whole document listing in each paging dialect, auto-detected and pinned.

The goal (issue 11): listing n documents costs ceil(n / page size) requests, plus at most one
to find out how the service pages. The sandbox (in-process) holds `--documents` documents and
speaks each dialect in turn; the client reads the listing with `pagination = "auto"` and with
the style pinned. Each row checks that every document was read once, in order, and counts the
requests the sandbox served.

    .venv/bin/python benchmarks/listing_bench.py                      # 10,000 documents
    .venv/bin/python benchmarks/listing_bench.py --documents 1000 --per-page 50
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import sys
import time
from dataclasses import dataclass, replace

from pipeline.api import SyncASGITransport, UppzyClient
from pipeline.config import ApiConfig, EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.sandbox import Limits, Sandbox, Scope
from pipeline.sandbox.store import Document

SITE = "s_local"
DIALECTS = ("page", "offset", "cursor")


@dataclass(frozen=True)
class Row:
    dialect: str
    pagination: str
    requests: int
    seconds: float


def fill(sandbox: Sandbox, count: int) -> list[str]:
    """`count` text documents written straight into the sandbox's store (fast set-up)."""
    tenant = sandbox.store.tenant("t_local")
    assert tenant is not None
    ids = []
    for i in range(count):
        doc_id = f"doc_{i:024x}"
        sandbox.store.add_document(
            Document(
                id=doc_id,
                site_id=SITE,
                type="text",
                title=f"Document {i}",
                category=None,
                status="active",
                content=f"Body {i}.",
                question=None,
                answer=None,
                filename=None,
                content_type=None,
                size_bytes=16,
                created_at=float(i),
                updated_at=float(i),
                indexed_at=float(i),
            ),
            tenant.id,
            tenant.limits,
        )
        ids.append(doc_id)
    return ids


def measure(dialect: str, pagination: str, count: int, per_page: int, repeats: int) -> Row:
    scope = Scope(
        tenant_id="t_local",
        site_ids=(SITE,),
        limits=Limits(documents=count + 1, storage_bytes=count * 64 + 1024),
    )
    env = EnvironmentConfig(
        name="bench",
        base_url="sandbox:",
        tenant_id="t_local",
        sites={SITE: SiteConfig()},
        http=HttpConfig(total_timeout=600.0),
        api=ApiConfig(pagination=pagination, per_page=per_page),
    )
    times, requests = [], set()
    with Sandbox(None, open_scope=scope, ready_delay=0.0, dialect=dialect) as sandbox:
        ids = fill(sandbox, count)
        with UppzyClient.for_environment(
            replace(env), transport=SyncASGITransport(sandbox.app)
        ) as client:
            for _ in range(repeats):
                sandbox.clear_request_log()
                started = time.perf_counter()
                listed = client.list_documents(SITE)
                times.append(time.perf_counter() - started)
                if [doc.id for doc in listed] != ids:
                    raise SystemExit(f"{dialect}/{pagination}: the listing was not read whole")
                requests.add(len(sandbox.request_log(operation="listDocuments")))
    if len(requests) != 1:
        raise SystemExit(f"{dialect}/{pagination}: request counts differ between runs: {requests}")
    return Row(dialect, pagination, requests.pop(), statistics.median(times))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    floor = math.ceil(args.documents / args.per_page)
    rows = [
        measure(dialect, pagination, args.documents, args.per_page, args.repeats)
        for dialect in DIALECTS
        for pagination in ("auto", dialect)
    ]
    base = next(r.seconds for r in rows if r.dialect == "page" and r.pagination == "auto")
    print(
        f"{args.documents} documents, per_page {args.per_page}: "
        f"ceil(n / page size) = {floor} requests; medians of {args.repeats}"
    )
    print(
        "| dialect | pagination | requests | beyond ceil(n/p) | median s | docs/s | ÷ page auto |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    failed = False
    for row in rows:
        extra = row.requests - floor
        failed = failed or not 0 <= extra <= 1
        print(
            f"| {row.dialect} | {row.pagination} | {row.requests} | {extra} | "
            f"{row.seconds:.2f} | {args.documents / row.seconds:,.0f} | "
            f"{row.seconds / base:.2f}× |"
        )
    print("goal (at most one request beyond ceil(n / page size)):", "FAILED" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
