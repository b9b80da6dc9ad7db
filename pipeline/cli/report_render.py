"""The content-health report as Markdown (for a job summary or a wiki) and as one HTML page."""

from __future__ import annotations

import html

from pipeline.lint.health import DueItem, HealthReport

Table = tuple[list[str], list[list[str]]]


def sections(report: HealthReport) -> list[tuple[str, str, Table]]:
    """(title, note, table) for every part of the report, shared by both renderers."""
    limit = report.max_review_age_days
    out: list[tuple[str, str, Table]] = [
        ("Content", "", (["", "count"], [
            ["items", str(report.items)],
            ["documents", str(report.documents)],
            ["Q&A entries", str(report.qa_entries)],
            *([f"status: {k}", str(v)] for k, v in report.by_status.items()),
            *([f"audience: {k}", str(v)] for k, v in report.by_audience.items()),
            ["lint errors", str(report.lint_errors)],
            ["lint warnings", str(report.lint_warnings)],
            ["files with findings", str(report.files_with_findings)],
        ])),
    ]  # fmt: skip
    if report.batches:
        rows = [[b.id, ", ".join(b.environments) or "—", str(b.items), str(b.approved),
                 str(b.drafts)] for b in report.batches]  # fmt: skip
        out.append(
            ("Batches", "", (["batch", "environments", "items", "approved", "drafts"], rows))
        )
    out += [
        ("Reviews overdue", f"Reviewed more than {limit} days ago.",
         _due_table(report.reviews_overdue)),
        ("Reviews due soon", "Coming due within 30 days.", _due_table(report.reviews_due_soon)),
        ("Expired", "Past their `expires` date.", _due_table(report.expired)),
        ("Expiring soon", "Expiring within 30 days.", _due_table(report.expiring_soon)),
    ]  # fmt: skip
    owner_rows = [[o.owner, str(o.items), str(o.reviews_overdue), str(o.reviews_due_soon),
                   str(o.findings)] for o in report.owners]  # fmt: skip
    out.append(("Owners", "", (["owner", "items", "overdue", "due soon", "findings"], owner_rows)))
    rule_rows = [[r.rule, r.severity, str(r.count)] for r in report.rules]
    out.append(("Findings by rule", "", (["rule", "level", "findings"], rule_rows)))
    return out


def health_markdown(report: HealthReport) -> str:
    lines = [f"# Content health, {report.today.isoformat()}", ""]
    for title, note, (header, rows) in sections(report):
        lines += [f"## {title}", ""]
        if note:
            lines += [note, ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(" --- " for _ in header) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def health_html(report: HealthReport) -> str:
    title = f"Content health, {report.today.isoformat()}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;"
        "padding:0 1rem}table{border-collapse:collapse;margin-bottom:1.5rem}"
        "th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}"
        "th{background:#f3f3f3}td.num{text-align:right}</style>",
        f"</head><body><h1>{html.escape(title)}</h1>",
    ]
    for name, note, (header, rows) in sections(report):
        parts.append(f"<h2>{html.escape(name)}</h2>")
        if note:
            parts.append(f"<p>{html.escape(note.replace('`', ''))}</p>")
        if not rows:
            parts.append("<p>None.</p>")
            continue
        parts.append("<table><thead><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in header]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            cells = "".join(
                f'<td class="num">{html.escape(c)}</td>'
                if c.lstrip("-").isdigit()
                else f"<td>{html.escape(c)}</td>"
                for c in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _due_table(items: list[DueItem]) -> Table:
    rows = [[d.path, d.title, d.owner, d.due.isoformat(), _days(d.days_left)] for d in items]
    return (["file", "title", "owner", "due", "when"], rows)


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"{-days_left} days ago"
    return "today" if days_left == 0 else f"in {days_left} days"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
