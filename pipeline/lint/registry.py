"""The registry: every code rule kbsync has, in one explicit, typed list.

A family is a module of :mod:`pipeline.lint.rules` (the `conflicts` family, with the facts and
questions only it uses, is :mod:`pipeline.lint.conflicts`); a rule is a class in it (see
:mod:`pipeline.lint.rule`). Adding a rule is adding its class here. Rules made from data (the
Vale styles under `rules/`) are loaded by :func:`build_rules` next to these.
"""

from __future__ import annotations

from pipeline.lint.conflicts import rules as conflicts
from pipeline.lint.rule import LintContext, Rule, SkippedRule
from pipeline.lint.rules import (
    freshness,
    internal,
    links,
    pii,
    runtime,
    schema,
    secrets,
    wording,
)

CODE_RULES: tuple[type[Rule], ...] = (
    # schema: the frontmatter
    schema.Unreadable,
    schema.Encoding,
    schema.MissingFrontmatter,
    schema.InvalidYaml,
    schema.RequiredField,
    schema.FieldType,
    schema.EnumValue,
    schema.IdFormat,
    schema.DateFormat,
    schema.UnknownField,
    schema.UnknownBatch,
    schema.NoBatch,
    schema.DuplicateId,
    # freshness: review age and expiry (dated rules: see freshness.RULES)
    *freshness.RULES,
    # internal: team-only material in public content
    internal.HtmlComment,
    internal.Marker,
    internal.InternalLink,
    # conflicts: what files say to each other
    conflicts.FactConflict,
    conflicts.DuplicateQuestion,
    conflicts.DuplicateTitle,
    # links: relative links between files
    links.BrokenLink,
    links.MissingAnchor,
    links.InternalTarget,
    links.UnpublishedTarget,
    links.UncheckedLinks,
    # secrets: credentials anywhere in a file
    secrets.CloudKey,
    secrets.PaymentKey,
    secrets.VcsToken,
    secrets.ChatToken,
    secrets.ServiceKey,
    secrets.PrivateKey,
    secrets.Jwt,
    secrets.BearerToken,
    secrets.BasicAuth,
    secrets.HighEntropy,
    # pii: personal data (one rule per Presidio entity)
    *pii.RULES,
    # lint: what happened while the rules ran
    runtime.RuleTimeout,
)


def code_rules(context: LintContext) -> list[Rule]:
    """One instance of every code rule."""
    return [rule_class(context) for rule_class in CODE_RULES]


def build_rules(context: LintContext) -> tuple[list[Rule], list[SkippedRule]]:
    """Every rule of this run: the code rules, then the rules loaded from `rules/`."""
    rules = code_rules(context)
    styles, skipped = wording.load_styles(context.settings.rules_root, context)
    return rules + styles, skipped


__all__ = ["CODE_RULES", "SkippedRule", "build_rules", "code_rules"]
