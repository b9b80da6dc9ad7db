"""`kbsync eval`: ask the eval questions and score the answers (recorded for the gate)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.common import Scope, content_and_rollout, target_options
from pipeline.cli.connect import open_client
from pipeline.config import LOCAL_ENV
from pipeline.errors import UsageError
from pipeline.lint.outbound import OutboundChecker
from pipeline.ops.eval_cases import EVALS_DIR, load_evals
from pipeline.ops.evals import EvalReport, run_evals, target_qa_cases


@click.command("eval")
@target_options(env_default=LOCAL_ENV)
@click.option("--min-pass", type=click.FloatRange(0.0, 1.0), default=0.9, show_default=True,
              help="Lowest pass rate that exits 0.")  # fmt: skip
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every result (answer, confidence, request id) as JSON.")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Questions at once (default: the environment's http.concurrency).")  # fmt: skip
@click.option("--async/--sync", "use_async", default=None,
              help="Async (polled) or sync chat (default: the environment's async.enabled).")  # fmt: skip
@click.option("--include-qa", is_flag=True,
              help="Also ask each approved Q&A entry's question (its answer must come back).")  # fmt: skip
@click.option("--from-qa", is_flag=True,
              help="Only the Q&A entries' questions (no eval files needed).")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    scope: Scope,
    min_pass: float,
    out_file: Path | None,
    concurrency: int | None,
    use_async: bool | None,
    include_qa: bool,
    from_qa: bool,
) -> None:
    """Answer quality: ask each question of content/evals/*.yaml and check the answer.

    An answer passes when it contains every `must_contain` phrase, none of `must_not_contain`,
    and its confidence is at least `min_confidence`. Exit 1 when the pass rate is below
    --min-pass. The result is kept with each target's state (a batch with `requires_eval`
    needs a passing eval on the environment it is promoted from).

    \b
    Examples:
      kbsync eval --env local
      kbsync eval --env staging --min-pass 0.95 --out eval.json
      kbsync eval --env staging --from-qa

    With --include-qa or --from-qa, each approved Q&A entry of the target's content (as a sync
    would send it) is a case `qa:<id>`: its question must be answered with its answer text
    (whitespace and case aside; a long answer's first sentence) at confidence medium or more.
    Uppzy's chat response names no sources, so this checks the text; `kbsync impact` checks
    more strictly that the entry is the top source.
    """
    settings, env, chosen = scope.settings, scope.env, scope.targets
    cases = [] if from_qa else load_evals(settings.content_root)
    if not cases and not from_qa and not include_qa:
        raise UsageError(
            f"no eval questions in {settings.content_root / EVALS_DIR}/*.yaml",
            hint="add a file with an 'evals:' list (see docs/runbook.md), or use --from-qa",
        )
    per_target = {target: list(cases) for target in chosen}
    if include_qa or from_qa:
        _settings, rollout = content_and_rollout(ctx)
        check = OutboundChecker(settings)
        for target in chosen:
            per_target[target] += target_qa_cases(settings, env, target, rollout, check)
    if not any(per_target.values()):
        raise UsageError(
            "no questions to ask: no eval questions and no approved Q&A entry for "
            + ", ".join(t.key for t in chosen),
            hint="add an eval file with an 'evals:' list (see docs/runbook.md)",
        )
    with open_client(settings, env) as client:
        report = run_evals(
            client,
            env,
            chosen,
            per_target,
            settings=settings,
            min_pass=min_pass,
            concurrency=concurrency,
            use_async=use_async,
        )
    click.echo(render(report))
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        click.echo(f"wrote {out_file}")
    if not report.passed:
        ctx.exit(1)


def render(report: EvalReport) -> str:
    """The results table and the verdict."""
    rows = [("", "eval", "target", "confidence", "request", "why")]
    for r in report.results:
        rows.append((
            "PASS" if r.passed else "FAIL",
            r.case.id,
            r.target.key,
            r.confidence_level or "-",
            r.request_id or "-",
            "; ".join(r.failures),
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5]
        for row in rows
    ]
    lines = [line.rstrip() for line in lines]
    passed = sum(r.passed for r in report.results)
    verdict = "passed" if report.passed else "FAILED"
    lines.append(
        f"eval {verdict}: {passed} of {len(report.results)} "
        f"({report.pass_rate:.0%}, minimum {report.min_pass:.0%}) on {report.environment}"
    )
    return "\n".join(lines)
