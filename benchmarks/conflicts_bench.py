"""Duplicate-question detection at scale: time and recall on generated Q&A corpora.

Generates 1,000 / 10,000 / 50,000 Q&A entries whose questions are built from a realistic
vocabulary (templates × verbs × qualified objects × contexts, so many questions share most of
their words: "How do I track an express parcel on the mobile app?" and "… on the dashboard?"),
each with alternates of its own, and plants a known number of duplicate pairs: paraphrases of
another entry's question ("How do I" → "How can I", a plural, a contraction, a determiner, one
extra word, a lower-cased copy without its question mark), some as the question and some
hidden among the alternates, half with the same answer and half with another.

For each size it prints:

- extract: parsing every entry and building its summary (paid once per file; cached later);
- check: `conflicts.duplicate-question`'s `check_corpus` over all extracts (the index);
- all checks: the same for every `conflicts.*` and `links.*` rule;
- full lint: `run_lint` over the files on disk with `--no-cache`, only these families
  (sizes up to `--full-up-to`);
- recall of the planted pairs, and false positives (reported pairs that were not planted).

Run:  .venv/bin/python benchmarks/conflicts_bench.py [--sizes 1000,10000,50000]
      [--full-up-to 10000] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import settings_from_table  # noqa: E402
from pipeline.corpus import parse_item  # noqa: E402
from pipeline.lint.conflicts import rules as conflicts  # noqa: E402
from pipeline.lint.conflicts.questions import near_duplicates, question_tokens  # noqa: E402
from pipeline.lint.engine import LintOptions, run_lint  # noqa: E402
from pipeline.lint.rule import CorpusRule, LintContext  # noqa: E402
from pipeline.lint.rules import links  # noqa: E402

THRESHOLD = 0.8
TEMPLATES = [
    "How do I {v} {d} {o}{c}?",
    "Can I {v} {d} {o}{c}?",
    "What happens when I {v} {d} {o}{c}?",
    "Where do I {v} {d} {o}{c}?",
    "Who can {v} {d} {o}{c}?",
    "When should I {v} {d} {o}{c}?",
    "How long does it take to {v} {d} {o}{c}?",
    "Is there a fee to {v} {d} {o}{c}?",
    "Why can't I {v} {d} {o}{c}?",
    "What do I need to {v} {d} {o}{c}?",
]
VERBS = [
    "reset", "change", "cancel", "track", "return", "update", "delete", "export", "import",
    "print", "share", "download", "upload", "transfer", "rename", "merge", "split", "schedule",
    "pause", "resume", "verify", "unlock", "extend", "archive", "restore", "connect", "disconnect",
    "refund", "insure", "relabel", "reroute", "reprint", "redirect", "hold", "collect", "weigh",
    "measure", "photograph", "report", "dispute", "approve", "reject", "invite", "remove",
    "replace", "renew", "upgrade", "downgrade", "limit", "filter", "sort", "tag", "label", "scan",
    "combine",
]  # fmt: skip
ADJECTIVES = [
    "international", "domestic", "express", "standard", "bulk", "oversized", "fragile", "prepaid",
    "damaged", "returned", "unpaid", "overdue", "recurring", "seasonal", "cancelled", "archived",
    "shared", "default", "primary", "backup", "temporary", "permanent", "old", "new", "live",
    "test", "pending", "scheduled", "delayed", "lost", "priority", "insured", "refrigerated",
    "heavy", "small", "large", "weekly", "monthly", "yearly",
]  # fmt: skip
NOUNS = [
    "parcel", "shipment", "label", "invoice", "password", "API key", "webhook", "locker",
    "pickup code", "return label", "team member", "payment method", "tracking page",
    "notification", "subscription", "plan", "order", "courier booking", "collection", "address",
    "customs form", "delivery window", "drop-off code", "QR code", "receipt", "refund",
    "credit note", "report", "CSV import", "shop plugin", "checkout widget", "signing secret",
    "compartment", "reminder", "branding", "logo", "domain", "account", "workspace", "role",
    "permission", "audit log", "export file", "batch", "manifest", "pallet", "insurance claim",
    "damage report", "support ticket", "phone number", "email template", "SMS template",
    "pickup point", "warehouse", "return policy", "shipping rule", "carrier account", "voucher",
    "discount code", "price list", "tax setting", "VAT number", "bank account", "card",
]  # fmt: skip
CONTEXTS = [
    "", "", "", " on the mobile app", " from the dashboard", " through the API",
    " after the courier scan", " before the pickup deadline", " for a marketplace order",
    " in a different country", " without a printer", " during the free trial",
    " for a business customer", " with the Shopify plugin", " with the WooCommerce plugin",
    " in bulk", " at the locker screen", " outside business hours", " on the Starter plan",
    " on the Pro plan", " for a guest checkout", " after a failed payment",
]  # fmt: skip
DETERMINERS = ["a", "an", "the", "my", "our", "this"]


@dataclass
class Entry:
    path: str
    question: str
    alternates: list[str]
    answer: str


# No noun is a part of another ("account" of "carrier account"): a question about one is not
# a shorter phrasing of a question about the other.
NOUNS = [n for n in NOUNS if not any(set(n.split()) < set(m.split()) for m in NOUNS)]


def _question(rng: random.Random, used: set[tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """A new question: its verb, object and context never seen together before, and no word
    in two of its parts ("scan … after the courier scan"), so two generated questions differ
    in at least one word of substance."""
    while True:
        template = rng.choice(TEMPLATES)
        verb, adjective, noun = rng.choice(VERBS), rng.choice(ADJECTIVES), rng.choice(NOUNS)
        context = rng.choice(CONTEXTS)
        key = (verb, adjective, noun, context)
        parts = [set(question_tokens(part)) for part in (template, verb, adjective, noun, context)]
        words = [word for part in parts for word in part]
        if key in used or len(words) != len(set(words)):
            continue
        used.add(key)
        obj = f"{adjective} {noun}"
        det = rng.choice(DETERMINERS)
        if det in ("a", "an"):
            det = "an" if obj[0] in "aeiou" else "a"
        return template.format(v=verb, d=det, o=obj, c=context), key


def paraphrase(rng: random.Random, question: str) -> str:
    """A rewording that means the same (and stays above the threshold)."""
    moves: list[Callable[[str], str]] = [
        lambda q: q.replace("How do I", "How can I").replace("Can I", "Could I"),
        lambda q: q.replace("Where do I", "Where can I").replace("Who can", "Who could"),
        lambda q: q.replace("Why can't I", "Why cannot I").replace("What happens when", "What's happening when"),
        lambda q: q.replace(" my ", " our ").replace(" the ", " my ").replace(" a ", " the "),
        lambda q: q.lower().rstrip("?"),
        lambda q: q.rstrip("?") + "s?" if not q.rstrip("?").endswith("s") else q,
        lambda q: q.replace(" do I ", " exactly do I ") if " do I " in q else q.replace("?", " today?"),
    ]  # fmt: skip
    for _ in range(10):
        candidate = rng.choice(moves)(question)
        if candidate != question and near_duplicates(
            question_tokens(candidate), question_tokens(question), THRESHOLD, replaced=0
        ):
            return candidate
    return question.upper()


def generate(size: int, planted: int, seed: int) -> tuple[list[Entry], set[tuple[str, str]]]:
    rng = random.Random(seed)
    used: set[tuple[str, ...]] = set()
    entries: list[Entry] = []
    for n in range(size - planted):
        question, _ = _question(rng, used)
        alternates = [paraphrase(rng, question) for _ in range(rng.choice((0, 1, 1, 2)))]
        entries.append(
            Entry(f"content/qa/t{n % 50}/q{n}.md", question, alternates, f"Answer number {n}.")
        )
    pairs: set[tuple[str, str]] = set()
    for n, original in enumerate(rng.sample(entries, planted)):
        copy = paraphrase(rng, original.question)
        answer = original.answer if n % 2 else f"A different answer {n}."
        own, _ = _question(rng, used)
        if n % 3 == 0:  # hidden among the alternates of an entry with its own question
            entry = Entry(f"content/qa/dup/d{n}.md", own, [paraphrase(rng, own), copy], answer)
        else:
            entry = Entry(f"content/qa/dup/d{n}.md", copy, [], answer)
        entries.append(entry)
        first, second = sorted((original.path, entry.path))
        pairs.add((first, second))
    return entries, pairs


def render(entry: Entry, number: int) -> str:
    lines = ["---", f"id: qa.bench.{number}", f'question: "{entry.question}"']
    if entry.alternates:
        lines.append("alternates:")
        lines.extend(f'  - "{alternate}"' for alternate in entry.alternates)
    lines += ["status: approved", "reviewed: 2026-10-01", "---", entry.answer, ""]
    return "\n".join(lines)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def bench(size: int, seed: int, full: bool, repeat: int, workdir: Path) -> dict[str, Any]:
    planted = max(10, size // 20)
    entries, pairs = generate(size, planted, seed)
    texts = {e.path: render(e, n) for n, e in enumerate(entries)}
    root = workdir / f"repo-{size}"
    settings = settings_from_table({}, root=root)
    context = LintContext(settings=settings)
    rules: list[CorpusRule] = [
        conflicts.FactConflict(context),
        conflicts.DuplicateQuestion(context),
        conflicts.DuplicateTitle(context),
        links.BrokenLink(context),
        links.MissingAnchor(context),
        links.InternalTarget(context),
    ]
    question_rule = rules[1]

    def extract_all() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {r.rule_id: {} for r in rules}
        for path, text in texts.items():
            item, _ = parse_item(path, text, "qa")
            assert item is not None
            for rule in rules:
                out[rule.rule_id][path] = rule.extract(item)
        return out

    extract_time, extracts = timed(extract_all)
    # The machines are shared: the best of `repeat` runs is the figure least disturbed.
    check_time, found = min(
        (
            timed(lambda: list(question_rule.check_corpus(extracts[question_rule.rule_id])))
            for _ in range(repeat)
        ),
        key=lambda run: run[0],
    )
    all_time = min(
        timed(lambda: [list(rule.check_corpus(extracts[rule.rule_id])) for rule in rules])[0]
        for _ in range(repeat)
    )
    reported = {tuple(sorted((f.finding.path, other))) for f in found for other in f.related}
    recall = len(pairs & reported) / len(pairs)
    false_positives = len(reported - pairs)
    lint_time = None
    if full:
        for path, text in texts.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        options = LintOptions(select=("conflicts", "links"), use_cache=False)
        lint_time, report = timed(lambda: run_lint(settings, options))
        assert report.files == size
    return {
        "size": size,
        "planted": len(pairs),
        "extract": extract_time,
        "check": check_time,
        "all": all_time,
        "lint": lint_time,
        "recall": recall,
        "fp": false_positives,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--full-up-to", type=int, default=10000, help="largest full run_lint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the check times")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kbsync-conflicts-bench-") as tmp:
        for size in sizes:
            rows.append(bench(size, args.seed, size <= args.full_up_to, args.repeat, Path(tmp)))
            print(f"  {size:>6} entries done", file=sys.stderr)
    header = "| entries | planted pairs | extract | check (questions) | check (all 6 rules) | full lint | recall | false positives |"
    print(header)
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        lint = f"{row['lint']:.2f} s" if row["lint"] is not None else "—"
        print(
            f"| {row['size']:,} | {row['planted']:,} | {row['extract']:.2f} s | "
            f"{row['check']:.2f} s | {row['all']:.2f} s | {lint} | {row['recall']:.0%} | "
            f"{row['fp']} |"
        )
    by_size = {row["size"]: row for row in rows}
    if 10000 in by_size and 50000 in by_size:
        ratio = by_size[50000]["check"] / by_size[10000]["check"]
        print(f"\ncheck time 50k / 10k: {ratio:.1f}× for 5× the entries (limit 8×)")


if __name__ == "__main__":
    main()
