"""`kbsync impact`: how a change moves the assistant's answers (exit 1 on a regression)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.common import Scope, target_options
from pipeline.cli.errors import MASKER
from pipeline.cli.impact_markdown import render_markdown
from pipeline.cli.impact_text import render_text
from pipeline.config import LOCAL_ENV
from pipeline.errors import UsageError
from pipeline.lint.outbound import OutboundChecker
from pipeline.lint.redact import TextMasker
from pipeline.ops.eval_cases import EVALS_DIR, load_evals
from pipeline.ops.impact import AskedDocument, Book, measure_impact

if TYPE_CHECKING:
    from pipeline.sandbox.answering import Answer, Answerer


def local_answering(
    documents: Sequence[AskedDocument], like: Book[Answer] | None = None
) -> Answerer:
    """The `local` environment's answering (the sandbox's), over `documents`; built `like`
    another of its answerers, it tokenizes only the documents that differ."""
    from pipeline.sandbox.answering import Answerer, Source

    return Answerer(
        [Source(d.key, d.title, d.type, d.question, d.body) for d in documents],
        like=like if isinstance(like, Answerer) else None,
    )


@click.command("impact")
@target_options(env_default=LOCAL_ENV, content=True)
@click.option("--changed-since", "ref", required=True, metavar="REF",
              help="The base of the change: a branch, tag or commit (e.g. origin/main).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown: for a PR comment or job summary.")  # fmt: skip
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of printing it.")  # fmt: skip
@click.option("--include-qa/--no-include-qa", default=True, show_default=True,
              help="Also check each approved Q&A entry answers its own question.")  # fmt: skip
@click.option("--all", "ask_all", is_flag=True,
              help="Ask every question at both sides (no shortcut; slower, same result).")  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    scope: Scope,
    ref: str,
    fmt: str,
    out_file: Path | None,
    include_qa: bool,
    ask_all: bool,
) -> None:
    """Answer impact: how the change since REF moves the assistant's answers.

    Builds each target's content at REF (the merge base with HEAD) and in the working tree,
    answers every eval question (content/evals/*.yaml) and, with --include-qa, each approved
    Q&A entry's question at both sides — in-process, with the `local` environment's answering,
    nothing sent — and reports each question whose answer, top sources or confidence moved.
    A Q&A entry passes when it is its question's top source (confidence not low); another
    item outranking it is reported as shadowing. Changed items no question reaches are listed
    with a suggested eval.

    Items of changed files pass the payload gate `plan` and `sync` run: one it blocks is
    absent at that side (as on the site) and named with its rule ids. Every text the report
    quotes (answers, questions, headings) is masked for secrets and personal data.

    Exit 1 when a question that passed at REF fails now (a shadowed Q&A entry included) or an
    eval question this change added or edited fails now; 0 when nothing changed, only
    improvements, or questions that failed at both sides; 2 on a usage or configuration error.

    \b
    Examples:
      kbsync impact --changed-since origin/main
      kbsync impact --changed-since origin/main --format markdown --out impact.md
    """
    settings, targets, rollout = scope.settings, scope.targets, scope.rollout
    assert rollout is not None
    cases = load_evals(settings.content_root)
    if not cases and not include_qa:
        raise UsageError(
            f"no questions to ask: no eval questions in {settings.content_root / EVALS_DIR}"
            "/*.yaml and --no-include-qa",
            hint="add an eval file with an 'evals:' list, or drop --no-include-qa",
        )
    check = OutboundChecker(settings)
    report = measure_impact(
        settings, scope.env, targets, rollout, ref, cases, local_answering,
        include_qa=include_qa, ask_all=ask_all, check=check,
    )  # fmt: skip
    if not any(t.questions for t in report.targets) and report.changed_paths:
        # A repository with no evals and no Q&A yet (an import, a first pull request) is not
        # misconfigured: the report lists every changed item as untested, with evals to add.
        report.notes.append(
            f"no questions to ask: no eval questions in {settings.content_dir}/{EVALS_DIR}"
            "/*.yaml and no approved Q&A entry; add evals (suggested below) to see how a change "
            "moves the answers"
        )
    report = report.redacted(TextMasker(check.detectors))
    if fmt == "json":
        text = report.dumps()
    elif fmt == "markdown":
        text = render_markdown(report)
    else:
        text = render_text(report) + "\n"
    if out_file is not None:
        try:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            out_file.write_text(MASKER(text), encoding="utf-8")
        except OSError as exc:
            why = exc.strerror or str(exc)
            if isinstance(exc, FileExistsError | NotADirectoryError):
                why = "a part of its folder is a file, not a folder"
            raise UsageError(
                f"{out_file}: cannot write the report: {why}",
                hint="name a file in a folder you can write to",
            ) from None
        click.echo(f"wrote {out_file}")
    else:
        click.echo(text, nl=False)
    ctx.exit(report.exit_code)
