"""Benchmark of the Uppzy client against the sandbox on a real loopback port.

Three runs, each on a fresh sandbox with `--latency` added to every request:

    sequential        N creates then N PATCHes, one at a time
    concurrent        the same with `--concurrency` workers              goal: >= 6x faster
    concurrent+503    the same with `--fault-rate` of requests failing   goal: <= 1.6x slower
                      with 503 (half before, half after the server did the work)

Creates go through `create_or_adopt_documents` (an uncertain create is reconciled against a
listing, never blindly repeated); PATCHes are retried (they are safely repeatable). Every run
checks that each item was applied exactly once: N documents, no duplicate title, every
document holding its patched content.

    .venv/bin/python benchmarks/client_bench.py                 # 2,000 items
    .venv/bin/python benchmarks/client_bench.py --items 200     # quicker
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipeline.api import ApiError, DocumentPatch, TextDocument, UppzyClient
from pipeline.config import EnvironmentConfig, HttpConfig, SiteConfig
from pipeline.sandbox import Sandbox, parse_keys, run_on_port

SITE = "s_local"
KEY_VAR = "KBSYNC_BENCH_API_KEY"


@dataclass(frozen=True)
class Run:
    name: str
    concurrency: int
    threads: int
    faults: str
    create_s: float
    patch_s: float
    attempts: int
    retries: int
    adopted: int
    listings: int
    server_requests: int
    injected: int

    @property
    def total_s(self) -> float:
        return self.create_s + self.patch_s


def run(
    name: str, items: int, concurrency: int, faults: str, http: HttpConfig, seed: int, threads: int
) -> Run:
    key = "bench_" + secrets.token_urlsafe(16)
    limits = {"documents": 10 * items + 100, "storage_bytes": 1 << 34, "messages": 1 << 20}
    ring = parse_keys(
        {"keys": {key: {"tenant_id": "t_local", "site_ids": [SITE], "limits": limits}}}
    )
    os.environ[KEY_VAR] = key
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        with (
            Sandbox(db, keys=ring, faults=faults, seed=seed) as sandbox,
            run_on_port(sandbox) as url,
        ):
            env = EnvironmentConfig(
                name="bench",
                base_url=url,
                tenant_id="t_local",
                api_key_env=KEY_VAR,
                sites={SITE: SiteConfig()},
                http=replace(http, concurrency=concurrency),
            )
            with UppzyClient.for_environment(env) as client:
                payloads = [
                    TextDocument(f"Doc {n:05d}", f"Body {n}", "bench") for n in range(items)
                ]
                started = time.perf_counter()
                outcomes = client.create_or_adopt_documents(
                    SITE, payloads, known_ids=set(), concurrency=threads
                )
                create_s = time.perf_counter() - started
                failed = [o for o in outcomes if isinstance(o, ApiError)]
                if failed:
                    raise SystemExit(f"{name}: {len(failed)} creates failed: {failed[0]}")
                ids = [o.document.id for o in outcomes if not isinstance(o, ApiError)]
                adopted = sum(1 for o in outcomes if not isinstance(o, ApiError) and o.adopted)

                def patch(number: int) -> None:
                    client.update_document(
                        SITE, ids[number], DocumentPatch(content=f"Body {number} (patched)")
                    )

                started = time.perf_counter()
                if threads > 1:
                    with ThreadPoolExecutor(threads) as pool:
                        list(pool.map(patch, range(items)))
                else:
                    for number in range(items):
                        patch(number)
                patch_s = time.perf_counter() - started
                metrics = client.metrics.endpoints()
            sandbox.set_faults(None)
            verify(name, sandbox, items)
            log = sandbox.request_log()
    return Run(
        name=name,
        concurrency=concurrency,
        threads=threads,
        faults=faults,
        create_s=create_s,
        patch_s=patch_s,
        attempts=sum(row.attempts for row in metrics),
        retries=sum(row.retries for row in metrics),
        adopted=adopted,
        listings=sum(row.calls for row in metrics if row.endpoint == "list_documents"),
        server_requests=len(log),
        injected=sum(1 for entry in log if entry.fault),
    )


def verify(name: str, sandbox: Sandbox, items: int) -> None:
    """Exactly once: every title once, every document patched once."""
    documents = sandbox.documents(SITE)
    titles = Counter(doc["title"] for doc in documents)
    duplicates = [title for title, count in titles.items() if count > 1]
    expected = {f"Doc {n:05d}" for n in range(items)}
    problems = []
    if duplicates:
        problems.append(f"{len(duplicates)} duplicated titles, e.g. {duplicates[0]}")
    if set(titles) != expected:
        problems.append(f"{len(expected - set(titles))} missing documents")
    unpatched = [doc["title"] for doc in documents if not doc["content"].endswith("(patched)")]
    if unpatched:
        problems.append(f"{len(unpatched)} documents not patched, e.g. {unpatched[0]}")
    wrong = [
        doc["title"]
        for doc in documents
        if doc["content"] != f"Body {int(doc['title'].split()[1])} (patched)"
    ]
    if wrong and not unpatched:
        problems.append(f"{len(wrong)} documents with another item's content")
    if problems:
        raise SystemExit(f"{name}: NOT exactly once: " + "; ".join(problems))


def table(runs: list[Run], items: int) -> str:
    head = (
        f"{'run':<16} {'in flight':>9} {'threads':>7} {'creates s':>10} {'patches s':>10} {'total s':>8} "
        f"{'items/s':>8} {'attempts':>9} {'retries':>8} {'adopted':>8} {'listings':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(
            f"{r.name:<16} {r.concurrency:>9} {r.threads:>7} {r.create_s:>10.2f} {r.patch_s:>10.2f} "
            f"{r.total_s:>8.2f} {2 * items / r.total_s:>8.0f} {r.attempts:>9} {r.retries:>8} "
            f"{r.adopted:>8} {r.listings:>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="creates (and PATCHes) per run")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="most requests in flight (http.concurrency)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="worker threads of the concurrent runs (default: the client's worker_threads, "
        "twice --concurrency)",
    )
    parser.add_argument("--latency", default="20ms", help="added to every request")
    parser.add_argument("--fault-rate", type=float, default=0.1, help="share of 503s")
    parser.add_argument("--backoff-initial", type=float, default=HttpConfig.backoff_initial)
    parser.add_argument("--backoff-max", type=float, default=HttpConfig.backoff_max)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    http = HttpConfig(
        concurrency=args.concurrency,
        backoff_initial=args.backoff_initial,
        backoff_max=args.backoff_max,
    )
    clean = f"latency={args.latency}"
    faulty = f"503={args.fault_rate:g},{clean}"
    print(
        f"{args.items} creates + {args.items} PATCHes per run, sandbox on 127.0.0.1, "
        f"{args.latency} latency, backoff {http.backoff_initial:g}-{http.backoff_max:g} s "
        "(full jitter)",
        flush=True,
    )
    threads = args.threads or 2 * args.concurrency
    runs = []
    for name, workers, pool, faults in (
        ("sequential", 1, 1, clean),
        ("concurrent", args.concurrency, threads, clean),
        ("concurrent+503", args.concurrency, threads, faulty),
    ):
        runs.append(run(name, args.items, workers, faults, http, args.seed, pool))
        print(f"  {name}: {runs[-1].total_s:.2f} s, exactly once: yes", flush=True)
    sequential, concurrent, faulted = runs
    print()
    print(table(runs, args.items))
    speedup = sequential.total_s / concurrent.total_s
    slowdown = faulted.total_s / concurrent.total_s
    print()
    print(
        f"speed-up sequential -> {args.concurrency} in flight: {speedup:.2f}x "
        f"(goal >= 6x: {'met' if speedup >= 6 else 'NOT met'})"
    )
    print(
        f"slow-down with {args.fault_rate:.0%} 503s: {slowdown:.2f}x "
        f"(goal <= 1.6x: {'met' if slowdown <= 1.6 else 'NOT met'}); "
        f"{faulted.injected} faults injected, {faulted.adopted} creates adopted, "
        "no duplicates"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "items": args.items,
                    "latency": args.latency,
                    "runs": [asdict(r) | {"total_s": r.total_s} for r in runs],
                    "speedup": speedup,
                    "fault_slowdown": slowdown,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
