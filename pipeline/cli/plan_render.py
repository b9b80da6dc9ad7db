"""Plans and sync results as text for people, Markdown for PR comments and job summaries."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.sync.plan import Plan
from pipeline.sync.service import SyncOutcome

_SYMBOL = {"create": "+", "update": "~", "rename": ">", "activate": "^", "deactivate": "v",
           "delete": "-", "adopt": "="}  # fmt: skip


def plan_text(plan: Plan) -> str:
    lines = [f"Plan for {plan.target.key} (tenant {plan.target.tenant or '-'})"]
    scan = "full scan" if plan.full_scan else "incremental"
    lines.append(f"  {scan}: {plan.scan_reason} ({plan.files_read} files read)")
    if plan.pending_journal:
        lines.append(f"  {plan.pending_journal} creates from an interrupted run will be reconciled")
    if plan.changes:
        width = max(len(c.id) for c in plan.changes)
        lines.append("")
        for change in plan.changes:
            where = change.path or change.doc_id or ""
            lines.append(
                f"  {_SYMBOL[change.action]} {change.action:<10} {change.id:<{width}}  "
                f"{change.type:<4}  {where}  ({change.reason})"
            )
    for note in plan.drift:
        lines.append(f"  drift: {note}")
    lines.extend(blocked_lines(plan))
    if plan.unmanaged:
        lines.append(
            f"  {len(plan.unmanaged)} documents on the site are not managed by kbsync "
            "(left alone; --prune deletes them)"
        )
    for warning in plan.warnings:
        lines.append(f"  warning: {warning}")
    lines.append("")
    lines.append(f"  {plan.summary()}")
    if plan.quota.get("limit") is not None:
        lines.append(
            f"  quota: {plan.quota.get('used')} of {plan.quota.get('limit')} documents used"
        )
    return "\n".join(lines)


def plans_markdown(plans: Sequence[Plan]) -> str:
    out = ["## kbsync plan", ""]
    for plan in plans:
        out.append(f"### `{plan.target.key}` — {plan.summary()}")
        out.append("")
        if plan.changes:
            out += ["| | action | id | type | path | why |", "|---|---|---|---|---|---|"]
            for c in plan.changes:
                out.append(
                    f"| {_SYMBOL[c.action]} | {c.action} | `{c.id}` | {c.type} | "
                    f"{c.path or c.doc_id or ''} | {c.reason} |"
                )
            out.append("")
        else:
            out += ["No changes.", ""]
        for blocked in plan.blocked:
            for finding in blocked.findings:
                out.append(f"- **blocked** `{blocked.id}`: `{finding.path}:{finding.line}` "
                           f"{finding.rule}: {finding.message}")  # fmt: skip
        if plan.blocked:
            out.append("")
        for note in [*plan.drift, *plan.warnings]:
            out.append(f"- {note}")
        if plan.drift or plan.warnings:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def blocked_lines(plan: Plan) -> list[str]:
    """Items the payload gate held back, one line per finding, on the source line."""
    lines: list[str] = []
    for blocked in plan.blocked:
        lines.append(
            f"  blocked {blocked.id}: the text it would send holds a secret or personal data"
        )
        lines.extend(f"    {finding}" for finding in blocked.findings)
    return lines


def outcome_text(outcome: SyncOutcome) -> str:
    r = outcome.result
    parts = [
        f"{r.created} created",
        f"{r.updated} updated",
        f"{r.activated} activated",
        f"{r.deleted} deleted",
    ]
    for label, value in (("adopted", r.adopted), ("renamed", r.renamed),
                         ("deactivated", r.deactivated), ("reconciled", r.reconciled)):  # fmt: skip
        if value:
            parts.append(f"{value} {label}")
    parts.append(f"{outcome.plan.unchanged} unchanged")
    if outcome.plan.blocked:
        parts.append(f"{len(outcome.plan.blocked)} blocked")
    lines = [f"{outcome.target.key}: {', '.join(parts)}"]
    lines.extend(blocked_lines(outcome.plan))
    for note in outcome.notes:
        lines.append(f"  {note}")
    for failure in r.failures:
        lines.append(f"  failed: {failure.action} {failure.id}: {failure.error}")
    if r.stopped:
        lines.append(f"  stopped: {r.stopped}")
    if outcome.waited_ready:
        lines.append(
            "  all documents ready" if not r.not_ready
            else f"  {len(r.not_ready)} documents not ready by the deadline"
        )  # fmt: skip
    return "\n".join(lines)
