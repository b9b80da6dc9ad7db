"""The shortcut (ask again only what can move) reports exactly what `--all` reports."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import commit_all, doc, git, qa, write_repo

WORDS = [
    "refund",
    "return",
    "parcel",
    "locker",
    "hours",
    "open",
    "days",
    "window",
    "price",
    "plan",
    "invoice",
    "card",
    "account",
    "password",
    "delivery",
    "courier",
    "label",
    "store",
    "pickup",
    "weekend",
    "holiday",
]


def words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_shortcut_reports_the_same_changed_questions_as_all(
    tmp_path: Path, run: Run, seed: int
) -> None:
    rng = random.Random(seed)
    files: dict[str, str | bytes] = {}
    for i in range(40):
        files[f"content/docs/d{i}.md"] = doc(f"docs.d{i}", words(rng, 1, 3), words(rng, 5, 40))
    for i in range(10):
        files[f"content/qa/q{i}.md"] = qa(f"qa.q{i}", words(rng, 2, 5) + "?", words(rng, 3, 12))
    cases = "".join(
        f"  - id: e{i}\n    question: {words(rng, 1, 4)}\n    must_contain: [{rng.choice(WORDS)}]\n"
        for i in range(15)
    )
    files["content/evals/e.yaml"] = "evals:\n" + cases
    root = write_repo(tmp_path, files)
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    for _ in range(5):
        kind = rng.choice(["edit", "edit", "add", "delete"])
        i = rng.randrange(40)
        path = root / f"content/docs/d{i}.md"
        if kind == "delete" and path.exists():
            path.unlink()
        elif kind == "add":
            name = f"n{rng.randrange(1000)}"
            (root / f"content/docs/{name}.md").write_text(
                doc(f"docs.{name}", words(rng, 1, 3), words(rng, 5, 40))
            )
        else:
            path.write_text(doc(f"docs.d{i}", words(rng, 1, 3), words(rng, 5, 40)))

    def report(*extra: str) -> dict[str, object]:
        result = run(root, "impact", "--changed-since", "main", "--format", "json", *extra)
        return json.loads(result.output)

    def moved(data: dict[str, object]) -> list[tuple[str, str, object, object]]:
        targets = data["targets"]
        assert isinstance(targets, list)
        return [
            (q["id"], q["kind"], q["before"], q["after"]) for t in targets for q in t["questions"]
        ]

    shortcut, every = report(), report("--all")
    assert moved(shortcut) == moved(every)
    counts = shortcut["targets"][0]["counts"]  # type: ignore[index]
    assert counts["unchanged_not_asked"] > 0
    assert every["targets"][0]["counts"]["unchanged_not_asked"] == 0  # type: ignore[index]
