"""Eval cases: the questions of `content/evals/*.yaml`, read and checked, and the scoring of
an answer against one.

    evals:
      - id: locker-pickup-window
        question: How long will my parcel stay in the locker?
        must_contain: ["72 hours"]          # every phrase must appear (case-insensitive)
        must_not_contain: ["parcelly.internal"]
        min_confidence: medium              # low, medium or high

No network here: `kbsync impact` loads and scores cases without asking Uppzy, so this module
imports neither the API client nor sync (asking is :mod:`pipeline.ops.evals`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.yamlfile import YamlSyntaxError, YamlText, parse_yaml, read_yaml_file

EVALS_DIR = "evals"
CONFIDENCE_LEVELS = ("low", "medium", "high")
_KEYS = {"id", "question", "must_contain", "must_not_contain", "min_confidence"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class EvalCase:
    """One question and what its answer must (and must not) say."""

    id: str
    question: str
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    min_confidence: str = "medium"
    source: str = ""
    line: int = 0
    quoted: bool = True
    """Whether a failure may quote `must_contain`: not for a Q&A entry's implicit case, whose
    phrase is the entry's own text (reports and CI logs never repeat content)."""


# --- loading ---------------------------------------------------------------------------------


def load_evals(content_root: Path) -> list[EvalCase]:
    """Every case of `content/evals/*.yaml` (sorted by file); malformed YAML is a ConfigError."""
    folder = content_root / EVALS_DIR
    cases: list[EvalCase] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        for case in load_eval_file(path):
            where = f"{case.source}:{case.line}"
            if case.id in seen:
                raise ConfigError(
                    f"eval {case.id!r} is defined twice (also at {seen[case.id]})",
                    path=path,
                    line=case.line,
                    hint="give every eval a unique id",
                )
            seen[case.id] = where
            cases.append(case)
    return cases


def load_eval_file(path: Path) -> list[EvalCase]:
    return eval_cases(read_yaml_file(path), path)


def load_eval_text(text: str, path: Path) -> list[EvalCase]:
    """The cases of an eval file's `text` (one read from a commit); a ConfigError if broken."""
    try:
        parsed = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise exc.config_error(path) from None
    return eval_cases(parsed, path)


def eval_cases(parsed: YamlText, path: Path) -> list[EvalCase]:
    """The cases of one parsed eval file."""
    data = parsed.data
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("evals"), list):
        raise ConfigError(
            "expected a mapping with a list 'evals:'", path=path, line=1,
            hint="see content/evals/smoke.yaml for the format",
        )  # fmt: skip
    lines = parsed.item_lines("evals")
    out = []
    for index, raw in enumerate(data["evals"]):
        line = lines[index] if index < len(lines) else 0
        out.append(_case(raw, index, path, line))
    return out


def _case(raw: Any, index: int, path: Path, line: int) -> EvalCase:
    label = f"eval #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{label} must be a mapping", path=path, line=line)
    if isinstance(raw.get("id"), str):
        label = f"eval #{index + 1} ({raw['id']})"
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(
            f"{label}: unknown key {sorted(map(str, unknown))[0]!r} "
            f"(known: {', '.join(sorted(_KEYS))})",
            path=path,
            line=line,
        )
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not _ID.fullmatch(case_id):
        raise ConfigError(
            f"{label}: 'id' must be a short name of letters, digits, '.', '_' or '-'",
            path=path,
            line=line,
        )
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ConfigError(f"{label}: 'question' must be a non-empty string", path=path, line=line)
    phrases: dict[str, tuple[str, ...]] = {}
    for key in ("must_contain", "must_not_contain"):
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(
                f"{label}: '{key}' must be a list of non-empty strings", path=path, line=line
            )
        phrases[key] = tuple(value)
    level = raw.get("min_confidence", "medium")
    if level not in CONFIDENCE_LEVELS:
        raise ConfigError(
            f"{label}: 'min_confidence' must be one of {', '.join(CONFIDENCE_LEVELS)}, "
            f"not {level!r}",
            path=path,
            line=line,
        )
    return EvalCase(
        id=case_id,
        question=question.strip(),
        must_contain=phrases["must_contain"],
        must_not_contain=phrases["must_not_contain"],
        min_confidence=level,
        source=str(path),
        line=line,
    )


# --- scoring ---------------------------------------------------------------------------------


def score(case: EvalCase, answer: str, confidence_level: str | None) -> tuple[str, ...]:
    """Why `answer` fails `case` (empty when it passes)."""
    failures: list[str] = []
    text = _normalise(answer)
    for phrase in case.must_contain:
        if _normalise(phrase) not in text:
            failures.append(f"missing {phrase!r}" if case.quoted else "missing the entry's answer")
    for phrase in case.must_not_contain:
        if _normalise(phrase) in text:
            failures.append(f"contains {phrase!r}")
    level = (confidence_level or "").lower()
    if level not in CONFIDENCE_LEVELS:
        failures.append(f"confidence {confidence_level or 'unknown'} (no level given)")
    elif CONFIDENCE_LEVELS.index(level) < CONFIDENCE_LEVELS.index(case.min_confidence):
        failures.append(f"confidence {level} < {case.min_confidence}")
    return tuple(failures)


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())
