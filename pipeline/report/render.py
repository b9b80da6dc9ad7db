"""The content-health report as Markdown (for a job summary or a wiki), JSON and one HTML page.

The page is self-contained (inline CSS and SVG, no script, nothing fetched), and every figure on
it carries `data-metric`: a JSON pointer (RFC 6901) into report.json, so a test or a scraper can
check that the page shows exactly what the JSON says. A figure shown in words ("53 days ago",
"passed") also carries `data-value`, the JSON value it stands for.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from pipeline.ops.holdings import RunRecord, TargetHoldings
from pipeline.report.health import DueItem, FindingCount, HealthReport

REPORT_VERSION = 1


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, and where its figure lives in report.json (if it is one)."""

    text: str
    metric: str | None = None
    value: Any = None
    """The JSON value when `text` is not simply `str(value)`."""
    has_value: bool = False


Table = tuple[list[str], list[list[Cell]]]
Section = tuple[str, str, Table]


def report_json(report: HealthReport, holdings: list[TargetHoldings]) -> dict[str, Any]:
    """report.json: the health report (version 1) and what every target holds."""
    data = report.to_json()
    data["version"] = REPORT_VERSION
    data["holdings"] = [h.to_json() for h in holdings]
    return data


def pointer(*parts: str | int) -> str:
    """A JSON pointer to one value of report.json."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _t(text: str) -> Cell:
    return Cell(text)


def _n(value: int, *path: str | int) -> Cell:
    return Cell(str(value), pointer(*path))


def _v(text: str, value: Any, *path: str | int) -> Cell:
    return Cell(text, pointer(*path), value, has_value=True)


def sections(report: HealthReport) -> list[Section]:
    """(title, note, table) for every part of the health report, shared by both renderers."""
    limit = report.max_review_age_days
    content: list[tuple[str, Cell]] = [
        ("items", _n(report.items, "items")),
        ("documents", _n(report.documents, "documents")),
        ("Q&A entries", _n(report.qa_entries, "qa_entries")),
        *((f"status: {k}", _n(v, "by_status", k)) for k, v in report.by_status.items()),
        *((f"audience: {k}", _n(v, "by_audience", k)) for k, v in report.by_audience.items()),
        ("lint errors", _n(report.lint_errors, "lint_errors")),
        ("lint warnings", _n(report.lint_warnings, "lint_warnings")),
        ("files with findings", _n(report.files_with_findings, "files_with_findings")),
        ("never reviewed", _n(report.never_reviewed, "never_reviewed")),
    ]
    out: list[Section] = [("Content", "", (["", "count"], [[_t(k), c] for k, c in content]))]
    out += [
        ("Findings by family", "", _finding_table("family", "findings_by_family",
                                                  report.findings_by_family)),
        ("Findings by file", "", _finding_table("file", "findings_by_file",
                                                report.findings_by_file)),
    ]  # fmt: skip
    if report.batches:
        rows = [
            [_t(b.id), _t(", ".join(b.environments) or "—"), _n(b.items, "batches", i, "items"),
             _n(b.approved, "batches", i, "approved"), _n(b.drafts, "batches", i, "drafts")]
            for i, b in enumerate(report.batches)
        ]  # fmt: skip
        out.append(
            ("Batches", "", (["batch", "environments", "items", "approved", "drafts"], rows))
        )
    out += [
        ("Reviews overdue", f"Reviewed more than {limit} days ago.",
         _due_table("reviews_overdue", report.reviews_overdue)),
        ("Reviews due soon", "Coming due within 30 days.",
         _due_table("reviews_due_soon", report.reviews_due_soon)),
        ("Expired", "Past their `expires` date.", _due_table("expired", report.expired)),
        ("Expiring soon", "Expiring within 30 days.",
         _due_table("expiring_soon", report.expiring_soon)),
    ]  # fmt: skip
    owner_rows = [
        [_t(o.owner), _n(o.items, "owners", i, "items"),
         _n(o.reviews_overdue, "owners", i, "reviews_overdue"),
         _n(o.reviews_due_soon, "owners", i, "reviews_due_soon"),
         _n(o.findings, "owners", i, "findings")]
        for i, o in enumerate(report.owners)
    ]  # fmt: skip
    out.append(("Owners", "", (["owner", "items", "overdue", "due soon", "findings"], owner_rows)))
    rule_rows = [
        [_t(r.rule), _t(r.severity), _n(r.count, "rules", i, "count")]
        for i, r in enumerate(report.rules)
    ]
    out.append(("Findings by rule", "", (["rule", "level", "findings"], rule_rows)))
    return out


def holding_sections(holdings: list[TargetHoldings]) -> list[Section]:
    """What each environment and site holds, and its last smoke and eval runs."""
    rows = []
    for i, h in enumerate(holdings):
        rows.append([
            _t(h.environment), _t(h.site),
            _n(h.entries, "holdings", i, "entries"),
            _v(h.commit[:12] if h.commit else "—", h.commit, "holdings", i, "commit"),
            _v(h.updated_at or "never", h.updated_at, "holdings", i, "updated_at"),
            _run_cell(h.smoke, i, "smoke"),
            _run_cell(h.eval, i, "eval"),
            _t(_target_notes(h)),
        ])  # fmt: skip
    header = ["environment", "site", "entries", "commit", "updated", "smoke", "eval", "notes"]
    out: list[Section] = [
        ("Environments and sites",
         "Read from the local state store (a git store's remote is not fetched).",
         (header, rows)),
    ]  # fmt: skip
    for i, h in enumerate(holdings):
        batch_rows = [
            [_t(b.batch), _n(b.active, "holdings", i, "batches", j, "active"),
             _n(b.draft, "holdings", i, "batches", j, "draft"),
             _n(b.total, "holdings", i, "batches", j, "total")]
            for j, b in enumerate(h.batches)
        ]  # fmt: skip
        out.append((f"{h.key} by batch", h.store, (["batch", "active", "draft", "total"],
                                                   batch_rows)))  # fmt: skip
    runs = []
    for i, h in enumerate(holdings):
        for record in (h.smoke, h.eval):
            if record is None:
                continue
            runs.append([
                _t(h.key), _t(record.kind),
                _v("passed" if record.passed else "FAILED", record.passed,
                   "holdings", i, record.kind, "passed"),
                _v(record.at, record.at, "holdings", i, record.kind, "at"),
                _v(record.commit[:12], record.commit, "holdings", i, record.kind, "commit"),
                _v(record.detail, record.detail, "holdings", i, record.kind, "detail"),
            ])  # fmt: skip
    out.append(("Last smoke and eval runs", "",
                (["target", "run", "result", "at", "commit", "detail"], runs)))  # fmt: skip
    return out


def health_markdown(report: HealthReport, holdings: list[TargetHoldings]) -> str:
    lines = [f"# Content health, {report.today.isoformat()}", ""]
    lines += ["## Review age", "", "| days since review | items |", "| --- | --- |"]
    lines += [f"| {b.label} | {b.count} |" for b in report.review_ages]
    lines.append("")
    for title, note, (header, rows) in sections(report) + holding_sections(holdings):
        lines += [f"## {title}", ""]
        if note:
            lines += [note, ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(" --- " for _ in header) + "|")
        lines += ["| " + " | ".join(_md_cell(c.text) for c in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;"
    "color:#1b1b1b}table{border-collapse:collapse;margin-bottom:1.5rem}"
    "th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}"
    "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "svg.histogram{display:block;margin-bottom:1.5rem}svg.histogram rect{fill:#3b6fb6}"
    "svg.histogram text{font:13px system-ui,sans-serif;fill:#1b1b1b}"
    ".failed{color:#b00020;font-weight:600}.passed{color:#1b7f3b}"
)


LEAD_SECTIONS = ("Content", "Findings by family", "Findings by file", "Reviews overdue")
"""Shown first on the page (with the review-age histogram and the holdings after them)."""


def health_html(report: HealthReport, holdings: list[TargetHoldings]) -> str:
    title = f"Content health, {report.today.isoformat()}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        f'</head><body><h1 id="title" data-metric="/today" data-value="'
        f'{html.escape(json.dumps(report.today.isoformat()))}">{html.escape(title)}</h1>',
    ]
    health = sections(report)
    first = [s for s in health if s[0] in LEAD_SECTIONS]
    rest = [s for s in health if s[0] not in LEAD_SECTIONS]
    for section in first:
        parts += _html_section(*section)
        if section[0] == "Findings by file":
            parts += _histogram_section(report)
    for section in holding_sections(holdings) + rest:
        parts += _html_section(*section)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _histogram_section(report: HealthReport) -> list[str]:
    return [
        '<h2 id="review-age">Review age</h2>',
        f"<p>Days since each item's <code>reviewed</code> date; reviews are due after "
        f"{report.max_review_age_days} days.</p>",
        age_histogram_svg(report),
    ]


def age_histogram_svg(report: HealthReport) -> str:
    """Bars of the review-age histogram, drawn in inline SVG (no script, no library)."""
    width, bar_area, bar_w, gap, left, top = 640, 180, 96, 24, 16, 24
    peak = max((b.count for b in report.review_ages), default=0) or 1
    height = top + bar_area + 48
    out = [
        f'<svg class="histogram" id="review-age-histogram" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Items by days since review">'
    ]
    for i, bucket in enumerate(report.review_ages):
        x = left + i * (bar_w + gap)
        h = round(bar_area * bucket.count / peak)
        y = top + bar_area - h
        label = html.escape(bucket.label)
        out.append(
            f'<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" data-bucket="{label}">'
            f"<title>{label} days: {bucket.count}</title></rect>"
        )
        out.append(
            f'<text x="{x + bar_w // 2}" y="{y - 6}" text-anchor="middle" '
            f'data-metric="{pointer("review_ages", i, "count")}">{bucket.count}</text>'
        )
        out.append(
            f'<text x="{x + bar_w // 2}" y="{top + bar_area + 20}" text-anchor="middle">'
            f"{label} days</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _html_section(name: str, note: str, table: Table) -> list[str]:
    header, rows = table
    parts = [f'<h2 id="{_slug(name)}">{html.escape(name)}</h2>']
    if note:
        parts.append(f"<p>{html.escape(note.replace('`', ''))}</p>")
    if not rows:
        parts.append("<p>None.</p>")
        return parts
    parts.append("<table><thead><tr>")
    parts += [f"<th>{html.escape(h)}</th>" for h in header]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return parts


def _html_cell(cell: Cell) -> str:
    attrs = ""
    if cell.metric is not None:
        attrs += f' data-metric="{html.escape(cell.metric)}"'
        if cell.has_value:
            attrs += f' data-value="{html.escape(json.dumps(cell.value))}"'
    if cell.has_value and cell.value is False:
        attrs += ' class="failed"'
    elif cell.has_value and cell.value is True:
        attrs += ' class="passed"'
    elif cell.metric is not None and not cell.has_value:
        attrs += ' class="num"'
    return f"<td{attrs}>{html.escape(cell.text)}</td>"


def _finding_table(kind: str, key: str, counts: list[FindingCount]) -> Table:
    rows = [
        [_t(c.name), _n(c.errors, key, i, "errors"), _n(c.warnings, key, i, "warnings"),
         _n(c.suggestions, key, i, "suggestions"), _n(c.total, key, i, "total")]
        for i, c in enumerate(counts)
    ]  # fmt: skip
    return ([kind, "errors", "warnings", "suggestions", "total"], rows)


def _due_table(key: str, items: list[DueItem]) -> Table:
    rows = [
        [_t(d.path), _t(d.title), _t(d.owner), _t(d.due.isoformat()),
         _v(_days(d.days_left), d.days_left, key, i, "days_left")]
        for i, d in enumerate(items)
    ]  # fmt: skip
    return (["file", "title", "owner", "due", "when"], rows)


def _run_cell(record: RunRecord | None, index: int, kind: str) -> Cell:
    if record is None:
        return _v("never run", None, "holdings", index, kind)
    text = ("passed" if record.passed else "FAILED") + (f" ({record.at})" if record.at else "")
    return _v(text, record.passed, "holdings", index, kind, "passed")


def _target_notes(h: TargetHoldings) -> str:
    notes = []
    if h.error:
        notes.append(f"cannot read state: {h.error}")
    if h.paused:
        notes.append("paused")
    if h.held_batches:
        notes.append("rolled back: " + ", ".join(h.held_batches))
    return "; ".join(notes)


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"{-days_left} days ago"
    return "today" if days_left == 0 else f"in {days_left} days"


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
