"""`conflicts.*`: what files say to each other — contradicting facts, duplicate questions and
duplicate titles.

These are corpus rules (:class:`~pipeline.lint.rule.CorpusRule`): each file is summarised once
(cached by its content) and the summaries of the whole corpus are compared through indexes —
facts by id (:mod:`pipeline.lint.conflicts.facts`), questions by rare tokens
(:mod:`pipeline.lint.conflicts.questions`), titles by normalised text — so a check grows with
the corpus, not with its square.

*Synced together* means the same `audience` and `status: approved` (also `draft` with
`[lint.conflicts] include_drafts = true`); facts and questions are only compared within such a
group.

**Incremental runs.** With `--changed-since REF` these rules still read every content file
(unchanged ones from the cache) and compare the whole corpus, but keep only findings on a changed
file or whose other end is one (each finding names its other files in `related`). A pull request
that changes "30 days" to "14 days" in one file therefore sees the conflict on the line it
changed, plus a finding on each untouched file that now disagrees with it, naming the changed
file. What a full run shows and an incremental run does not: conflicts among files the change
did not touch (older problems, left to the full run on the main branch).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pipeline.corpus import Item, QAEntry
from pipeline.errors import ConfigError
from pipeline.lint.conflicts.facts import FactBook, find_statements, load_facts
from pipeline.lint.conflicts.questions import (
    NORMALIZER_VERSION,
    is_negated,
    normalize_question,
    question_tokens,
    similar_pairs,
)
from pipeline.lint.findings import Finding, Severity
from pipeline.lint.rule import CorpusFinding, CorpusRule, LintContext, RuleWarning

SHOWN_PLACES = 3
"""How many other locations a message names before it says "and N more"."""

Place = tuple[int, int, int, int]
"""line, column, end line, end column of a finding."""


class _CrossFileRule(CorpusRule):
    """What the conflicts rules share: the sync group and findings built from extracts."""

    def sync_group(self, data: Mapping[str, Any]) -> str | None:
        """The group of content synced together with this file, or None if it is not synced."""
        status = data.get("s")
        drafts = self.context.settings.lint.conflicts.include_drafts
        if status == "approved" or (drafts and status == "draft"):
            return str(data.get("a") or "public")
        return None

    def content_path(self, path: str) -> str:
        prefix = self.context.settings.content_dir.rstrip("/") + "/"
        return path[len(prefix) :] if path.startswith(prefix) else path

    def finding(
        self, path: str, place: Sequence[int], message: str, severity: Severity | None = None
    ) -> Finding:
        line, column, end_line, end_column = place
        return Finding(
            rule=self.rule_id,
            category=self.category,
            severity=severity or self.default_severity,
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
        )


def _key_place(item: Item, key: str) -> Place:
    line = item.key_line(key)
    return (line, 1, line, len(item.source.line_text(line)) + 1)


def _span_place(item: Item, start: int, end: int) -> Place:
    first, last = item.position(start), item.position(end)
    return (first.line, first.column, last.line, last.column)


def _places(places: Sequence[tuple[str, int]]) -> str:
    """`a.md:3, b.md:7 and 2 more` (each place once)."""
    unique = list(dict.fromkeys(f"{path}:{line}" for path, line in places))
    shown = ", ".join(unique[:SHOWN_PLACES])
    rest = len(unique) - SHOWN_PLACES
    return f"{shown} and {rest} more" if rest > 0 else shown


# --- conflicts.fact ------------------------------------------------------------------------------


class FactConflict(_CrossFileRule):
    """One fact, stated with different values in content that is synced together.

    Facts are named in `rules/facts.yml` (`[lint.conflicts] facts_file`), each with a regular
    expression whose group `value` captures the stated value:

        facts:
          - id: refund-window
            description: How long a refund takes
            pattern: 'refunds? (?:are|is) processed within (?P<value>\\d+ (?:business )?days)'

    Patterns match prose only (not code, links' URLs or frontmatter), ignore case unless
    `case_sensitive: true`, and see a sentence that wraps across lines as one line. Every place
    that states the fact gets a finding naming the other values and where they are. Make the
    content agree; if the pattern caught something that is not the fact, narrow the pattern or
    its `scope` (`audience`, `paths`). Optional keys: `normalize` (`lowercase`, `strip`,
    `digits`), `scope`, `severity`.
    """

    id = "conflicts.fact"

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        settings = context.settings
        path = settings.rules_root / settings.lint.conflicts.facts_file
        self.book: FactBook = load_facts(path, settings.root)
        self._by_id = self.book.by_id()

    def options(self) -> Mapping[str, Any]:
        conflicts = self.context.settings.lint.conflicts
        return {
            "facts_file": conflicts.facts_file,
            "facts": self.book.digest,
            "include_drafts": conflicts.include_drafts,
        }

    def load_warnings(self) -> list[RuleWarning]:
        return [
            RuleWarning(
                self.book.source or "facts.yml",
                slow.line,
                self.rule_id,
                f"fact {fact.id!r}: {slow.message()}",
            )
            for fact in self.book.facts
            for slow in fact.slow
        ]

    def extract(self, item: Item) -> Any:
        if not self.book.facts:
            return None
        statements = find_statements(item, self.book.facts, self.content_path(item.path))
        if not statements:
            return None
        return {
            "a": item.audience,
            "s": item.status,
            "m": [
                [s.fact, s.value, s.normalized, *_span_place(item, s.start, s.end)]
                for s in statements
            ],
        }

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        # (fact, group) -> normalised value -> [(path, place, value as written)]
        index: dict[tuple[str, str], dict[str, list[tuple[str, list[int], str]]]] = {}
        for path, data in extracts.items():
            group = self.sync_group(data) if data else None
            if group is None:
                continue
            for fact_id, value, normalized, *place in data["m"]:
                if fact_id in self._by_id:
                    by_value = index.setdefault((fact_id, group), {})
                    by_value.setdefault(normalized, []).append((path, place, value))
        for (fact_id, _group), by_value in sorted(index.items()):
            if len(by_value) < 2:
                continue
            fact = self._by_id[fact_id]
            for normalized, places in by_value.items():
                others = [(v, p) for v, p in by_value.items() if v != normalized]
                others.sort(key=lambda entry: (entry[1][0][0], entry[1][0][1][0]))
                related = sorted({path for _, where in others for path, _, _ in where})
                described = f" ({fact.description})" if fact.description else ""
                elsewhere = "; ".join(
                    f"'{where[0][2]}' in {_places([(p, pl[0]) for p, pl, _ in where])}"
                    for _, where in others[:SHOWN_PLACES]
                )
                if len(others) > SHOWN_PLACES:
                    elsewhere += f"; and {len(others) - SHOWN_PLACES} more values"
                for path, place, value in places:
                    message = (
                        f"'{fact.id}'{described} is '{value}' here, but {elsewhere}: "
                        "make them agree"
                    )
                    yield CorpusFinding(
                        self.finding(path, place, message, fact.severity), related=tuple(related)
                    )


# --- conflicts.duplicate-question ----------------------------------------------------------------


class DuplicateQuestion(_CrossFileRule):
    """Two Q&A entries ask the same question (a question or an alternate of each).

    Questions are compared after lower-casing, dropping punctuation and a few stop words
    (articles, auxiliaries, pronouns) and folding plurals: "How do I reset my password?" and
    "How can I reset my password?" are the same question, "How do I change my password?" is
    another. Near-equal questions count too: Jaccard similarity of their words at or above
    `[lint.conflicts] question_similarity` (default 0.8), when the shorter question's words all
    appear in the longer one ("How long is the free trial?" and "How long does the free trial
    last?"); `question_replaced_words` (default 0) lets that many words differ. A negated
    question ("Why can't I …") never matches one that is not. Only entries synced together are
    compared; a document whose title is a question is not a Q&A entry.

    An error when the answers differ (the assistant may give either), a warning when they are
    the same text (merge the entries: keep one, and add the other's question to its
    `alternates`).
    """

    id = "conflicts.duplicate-question"

    def __init__(self, context: LintContext) -> None:
        super().__init__(context)
        conflicts = context.settings.lint.conflicts
        where = context.settings.source or context.settings.root / "kbsync.toml"
        if not 0 < conflicts.question_similarity <= 1:
            raise ConfigError(
                "[lint.conflicts] question_similarity must be above 0 and at most 1, "
                f"not {conflicts.question_similarity}",
                path=where,
                hint="0.8 is a good start; 1 finds only questions with the same words",
            )
        if conflicts.question_replaced_words < 0:
            raise ConfigError(
                "[lint.conflicts] question_replaced_words must be 0 or more, "
                f"not {conflicts.question_replaced_words}",
                path=where,
            )
        self.threshold = conflicts.question_similarity
        self.replaced = conflicts.question_replaced_words

    def options(self) -> Mapping[str, Any]:
        conflicts = self.context.settings.lint.conflicts
        return {
            "question_similarity": conflicts.question_similarity,
            "question_replaced_words": conflicts.question_replaced_words,
            "include_drafts": conflicts.include_drafts,
            "normalizer": NORMALIZER_VERSION,
        }

    def extract(self, item: Item) -> Any:
        if not isinstance(item, QAEntry) or not item.questions:
            return None
        answer = " ".join(item.body.split())
        return {
            "id": item.id,
            "a": item.audience,
            "s": item.status,
            "ans": hashlib.sha256(answer.encode("utf-8")).hexdigest()[:20],
            "q": [
                [text, *place, question_tokens(text), normalize_question(text)]
                for text, place in _question_places(item)
            ],
        }

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        entries = [
            (path, data) for path, data in extracts.items() if data and self.sync_group(data)
        ]
        # Every question of every entry is a record; its owner is its entry.
        # Records are compared within a sync group, and a negated question ("Why can't I …")
        # never matches one that is not.
        groups: dict[tuple[str, bool], list[tuple[int, int]]] = defaultdict(list)
        for entry, (_path, data) in enumerate(entries):
            for number, question in enumerate(data["q"]):
                key = (str(self.sync_group(data)), is_negated(question[5]))
                groups[key].append((entry, number))
        best: dict[tuple[int, int], tuple[float, int, int]] = {}

        def consider(a: tuple[int, int], b: tuple[int, int], similarity: float) -> None:
            (ea, qa), (eb, qb) = sorted((a, b))
            if ea == eb:
                return
            id_a, id_b = entries[ea][1].get("id"), entries[eb][1].get("id")
            if id_a and id_a == id_b:  # one id in two files: schema.duplicate-id says so
                return
            key = (ea, eb)
            candidate = (similarity, -qa, -qb)
            if key not in best or candidate > best[key]:
                best[key] = candidate

        for records in groups.values():
            tokens = [entries[e][1]["q"][q][5] for e, q in records]
            owners = [e for e, _ in records]
            for i, j, similarity in similar_pairs(tokens, owners, self.threshold, self.replaced):
                consider(records[i], records[j], similarity)
            exact: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for record, words in zip(records, tokens, strict=True):
                if not words:  # only stop words: compare the whole normalised text
                    normalized = entries[record[0]][1]["q"][record[1]][6]
                    if normalized:
                        exact[normalized].append(record)
            for same in exact.values():
                for n, first in enumerate(same):
                    for second in same[n + 1 :]:
                        consider(first, second, 1.0)

        partners: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for (ea, eb), (_similarity, neg_qa, neg_qb) in best.items():
            partners[(ea, -neg_qa)].append((eb, -neg_qb))
            partners[(eb, -neg_qb)].append((ea, -neg_qa))
        for (entry, number), others in sorted(
            partners.items(), key=lambda kv: (entries[kv[0][0]][0], kv[0][1])
        ):
            yield self._finding(entries, entry, number, others)

    def _finding(
        self,
        entries: Sequence[tuple[str, Any]],
        entry: int,
        number: int,
        others: Sequence[tuple[int, int]],
    ) -> CorpusFinding:
        path, data = entries[entry]
        text, *place = data["q"][number][:5]
        others = sorted(others, key=lambda o: (entries[o[0]][0], o[1]))
        differ = [entries[o][1]["ans"] != data["ans"] for o, _ in others]
        described = []
        for (other, other_number), different in zip(others, differ, strict=True):
            other_path, other_data = entries[other]
            other_text, other_line = other_data["q"][other_number][:2]
            which = "a different" if different else "the same"
            described.append(
                f"'{other_text}' in {other_path}:{other_line} ({which} answer)"
                if len(others) > 1
                else f"'{other_text}' in {other_path}:{other_line}, which has {which} answer"
            )
        shown = ", ".join(described[:SHOWN_PLACES])
        if len(described) > SHOWN_PLACES:
            shown += f" and {len(described) - SHOWN_PLACES} more"
        if any(differ):
            advice = "merge the entries: keep one answer and the other question as an alternate"
        else:
            advice = "keep one entry and move the other's question into its alternates"
        message = f"question '{text}' means the same as {shown}: {advice}"
        severity = Severity.ERROR if any(differ) else Severity.WARNING
        related = tuple(sorted({entries[o][0] for o, _ in others} - {path}))
        return CorpusFinding(self.finding(path, place, message, severity), related=related)


def _question_places(item: QAEntry) -> list[tuple[str, Place]]:
    """Each question of `item` with where it is written in the frontmatter."""
    places: list[tuple[str, Place]] = []
    if item.question:
        places.append((item.question, _text_place(item, "question", item.question, 0)[0]))
    cursor = 0
    for alternate in item.alternates:
        place, cursor = _text_place(item, "alternates", alternate, cursor)
        places.append((alternate, place))
    return places


def _text_place(item: QAEntry, key: str, text: str, cursor: int) -> tuple[Place, int]:
    """Where `text` (a value of frontmatter `key`) is written, searching from line `cursor`."""
    start = max(item.key_line(key), cursor)
    last = item.position(item.body_start).line
    for line in range(start, last + 1):
        column = item.source.line_text(line).find(text)
        if column >= 0:
            return (line, column + 1, line, column + len(text) + 1), line + 1
    return _key_place(item, key), cursor


# --- conflicts.duplicate-title -------------------------------------------------------------------


class DuplicateTitle(_CrossFileRule):
    """Two documents (or two Q&A entries) with the same title.

    Uppzy assigns its own document ids, so when a create's response is lost kbsync finds the
    document it made by its type and title: two items of one type with one title on one site
    could be mixed up. An error when both can reach the same site (an environment their rollout
    batch is approved for, a site of it that takes their audience, and their `sites` field if
    set; without rollout.yaml every item reaches one site), a warning otherwise. A Q&A entry's
    title is its `title`, else its question. Titles are compared ignoring case and spacing;
    a document and a Q&A entry may share one. Rename one of them.
    """

    id = "conflicts.duplicate-title"

    def extract(self, item: Item) -> Any:
        title = item.display_title
        if not title.strip():
            return None
        key = "question" if isinstance(item, QAEntry) and not item.title else "title"
        return {
            "id": item.id,
            "k": item.kind,
            "t": title,
            "n": " ".join(title.casefold().split()),
            "p": list(_key_place(item, key)),
            "a": item.audience,
            "b": item.batch,
            "sites": list(item.sites),
        }

    def check_corpus(self, extracts: Mapping[str, Any]) -> Iterator[CorpusFinding]:
        by_title: dict[tuple[str, str], list[str]] = defaultdict(list)
        for path, data in extracts.items():
            if data:
                by_title[(data["k"], data["n"])].append(path)
        reach = _Reach(self)
        for paths in by_title.values():
            if len(paths) < 2:
                continue
            sites = {path: reach.sites(path, extracts[path]) for path in paths}
            for path in paths:
                data = extracts[path]
                others = [
                    o
                    for o in paths
                    if o != path and not (data["id"] and extracts[o]["id"] == data["id"])
                ]
                if not others:
                    continue
                shared = sorted(set().union(*(sites[path] & sites[o] for o in others)))
                where = _places([(o, extracts[o]["p"][0]) for o in others])
                kind = "document" if data["k"] == "doc" else "Q&A entry"
                if shared:
                    common = (
                        "the same site"
                        if shared == [_ONE_SITE]
                        else ", ".join(shared[:SHOWN_PLACES])
                        + (" and more" if len(shared) > SHOWN_PLACES else "")
                    )
                    message = (
                        f"{kind} title '{data['t']}' is also used by {where}, and both reach "
                        f"{common}: Uppzy knows a {kind} by its title when kbsync recovers a "
                        "lost create, so rename one"
                    )
                    severity = Severity.ERROR
                else:
                    message = (
                        f"{kind} title '{data['t']}' is also used by {where} (no site takes "
                        "both today): rename one before they are routed together"
                    )
                    severity = Severity.WARNING
                yield CorpusFinding(
                    self.finding(path, data["p"], message, severity), related=tuple(others)
                )


_ONE_SITE = "*"


class _Reach:
    """Which (environment/site) targets an item can reach, from settings and rollout.yaml."""

    def __init__(self, rule: _CrossFileRule) -> None:
        self.rule = rule
        self.rollout = rule.context.rollout
        self.environments = rule.context.settings.environments

    def sites(self, path: str, data: Mapping[str, Any]) -> frozenset[str]:
        if self.rollout.source is None:
            return frozenset({_ONE_SITE})
        batch = self.rollout.batch_for(self.rule.content_path(path), data.get("b"))
        if batch is None:
            return frozenset()
        wanted = set(data.get("sites") or ())
        audience = data.get("a") or "public"
        out = set()
        for env_name in batch.environments:
            env = self.environments.get(env_name)
            if env is None:
                continue
            for site_id, site in env.sites.items():
                if audience in site.audiences and (not wanted or site_id in wanted):
                    out.add(f"{env_name}/{site_id}")
        return frozenset(out)
