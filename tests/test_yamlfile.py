"""The one YAML reader: values and lines from one parse, and syntax errors as one line with
their place, for every file kbsync reads (frontmatter, rollout, facts, Vale rules, evals)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.corpus import parse_item
from pipeline.errors import ConfigError
from pipeline.lint.conflicts.facts import load_facts
from pipeline.lint.vale.reader import load_rule
from pipeline.ops.evals import load_eval_file
from pipeline.rollout import load_rollout
from pipeline.yamlfile import FAST_LOADER, YamlSyntaxError, parse_yaml, read_yaml_file
from tests.cli.conftest import Run, run
from tests.helpers import doc, write_repo

LOADERS = pytest.mark.parametrize("loader", [yaml.SafeLoader, FAST_LOADER], ids=["py", "lib"])
__all__ = ["run"]  # the CLI fixture, for the exit-status test
ROLLOUT = "batches:\n  - id: core\n    include: ['docs/**']\n    environments: [local]\n"


@LOADERS
def test_values_and_lines_come_from_one_parse(loader: type[yaml.SafeLoader]) -> None:
    text = "# a comment\nname: kb\nbatches:\n  - id: a\n\n  - id: b\nempty:\n"
    parsed = parse_yaml(text, loader=loader)
    assert parsed.data == {"name": "kb", "batches": [{"id": "a"}, {"id": "b"}], "empty": None}
    assert parsed.key_lines() == {"name": 2, "batches": 3, "empty": 7}
    assert parsed.key_line("batches") == 3
    assert parsed.key_line("missing") is None
    assert parsed.item_lines("batches") == [4, 6]
    assert parsed.item_lines("name") == []
    assert parsed.item_lines("missing") == []


@LOADERS
def test_a_document_that_is_not_a_mapping_has_no_key_lines(loader: type[yaml.SafeLoader]) -> None:
    parsed = parse_yaml("- a\n- b\n", loader=loader)
    assert parsed.data == ["a", "b"]
    assert parsed.key_lines() == {}
    assert parsed.key_line("a") is None
    assert parsed.items("a") == []
    assert parse_yaml("", loader=loader) == parse_yaml("# nothing\n", loader=loader)
    assert parse_yaml("", loader=loader).data is None


def test_without_construct_only_the_nodes_are_read() -> None:
    """Vale rule files are read as nodes: a key YAML cannot construct is not an error there."""
    with pytest.raises(YamlSyntaxError, match="found unhashable key"):
        parse_yaml("{[1]: 2}\n")
    parsed = parse_yaml("{[1]: 2}\n", construct=False)
    assert parsed.data is None
    assert isinstance(parsed.node, yaml.MappingNode)


@LOADERS
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1\n", 2, 1),
        ("a: b: c\n", 1, 5),
        ("a: 1\n---\nb: 2\n", 2, 1),
        ("ok: 1\nrun: !!python/object/apply:os.system ['true']\n", 2, 6),
    ],
    ids=["unclosed", "colon", "two documents", "unsafe tag"],
)
def test_syntax_errors_name_their_line_and_column(
    loader: type[yaml.SafeLoader], text: str, line: int, column: int
) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text, loader=loader)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.problem
    assert "\n" not in caught.value.problem


@LOADERS
def test_a_control_character_is_one_line(loader: type[yaml.SafeLoader]) -> None:
    """PyYAML adds a second line, `  in "<unicode string>", position 17`: an offset into
    nothing the user has."""
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml("é: 1\ntitle: Tab\x07le\n", loader=loader)
    assert caught.value.problem.startswith("unacceptable character #x0007: ")
    assert caught.value.problem.endswith(" characters are not allowed")
    assert "\n" not in caught.value.problem


@LOADERS
@pytest.mark.parametrize("construct", [True, False])
def test_nesting_too_deep_is_a_syntax_error(loader: type[yaml.SafeLoader], construct: bool) -> None:
    """PyYAML recurses (RecursionError, said as `nested too deeply`); libyaml has a limit."""
    with pytest.raises(
        YamlSyntaxError, match=r"^(nested too deeply|exceeded maximum nesting depth)$"
    ):
        parse_yaml("[" * 5000 + "]" * 5000, loader=loader, construct=construct)


def test_read_yaml_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: [1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_yaml_file(path)
    assert (
        str(caught.value)
        == f"{path}:2: not valid YAML: expected ',' or ']', but got '<stream end>'"
    )
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(ConfigError, match=r"x\.yaml: cannot read: 'utf-8' codec can't decode"):
        read_yaml_file(path)
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read: "):
        read_yaml_file(tmp_path / "missing.yaml")


# --- every caller -----------------------------------------------------------------------------


def test_rollout_reads_its_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rollout.yaml").write_text(ROLLOUT, encoding="utf-8")
    reads: list[Path] = []
    real_read_text = Path.read_text

    def counting_read_text(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(self)
        return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting_read_text)
    rollout = load_rollout(tmp_path)
    assert [b.id for b in rollout.batches] == ["core"]
    assert rollout.batches[0].line == 2
    assert reads == [tmp_path / "rollout.yaml"]


@pytest.mark.parametrize(
    "load",
    [
        lambda path: load_rollout(path.parent),
        load_eval_file,
        lambda path: load_facts(path),
        lambda path: load_rule(path, "Style"),
    ],
    ids=["rollout", "evals", "facts", "vale rule"],
)
def test_a_control_character_is_a_configuration_error_everywhere(
    tmp_path: Path, load: object
) -> None:
    """rollout.yaml and eval files used to end in a traceback (PyYAML's ReaderError)."""
    path = tmp_path / "rollout.yaml"
    path.write_text("batches:\n  - id: co\x1bre\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)  # type: ignore[operator]
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid YAML: unacceptable character #x001b: ")
    assert "\n" not in message


def test_a_control_character_in_rollout_yaml_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(
        tmp_path,
        {"content/docs/a.md": doc("docs.a"), "content/rollout.yaml": ROLLOUT + "# \x00\n"},
    )
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'content' / 'rollout.yaml'}: not valid YAML: "
        "unacceptable character #x0000: special characters are not allowed\n"
    )


def test_a_control_character_in_frontmatter_is_a_one_line_finding() -> None:
    text = "---\nid: docs.a\ntitle: A\x07\n---\nBody.\n"
    item, problems = parse_item("content/docs/a.md", text, "doc")
    assert item is None
    [problem] = problems
    assert (problem.rule, problem.line, problem.column) == ("schema.yaml", 2, 1)
    assert problem.message.startswith(
        "frontmatter is not valid YAML: unacceptable character #x0007"
    )
    assert "\n" not in problem.message


@LOADERS
def test_a_key_given_twice_is_a_syntax_error_on_its_second_line(
    loader: type[yaml.SafeLoader],
) -> None:
    """YAML's loaders keep the last value silently."""
    text = "batches:\n  - id: core\n    environments: [local]\n    environments: [production]\n"
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text, loader=loader)
    assert caught.value.problem == (
        "duplicate key 'environments' (given twice in one mapping): YAML would silently keep "
        "only the last"
    )
    assert (caught.value.line, caught.value.column) == (4, 5)


def test_an_alias_and_a_merge_key_are_no_duplicates() -> None:
    text = "base: &b {a: 1}\none: *b\ntwo: *b\nthree:\n  <<: *b\n  c: 2\n"
    assert parse_yaml(text).data["three"] == {"a": 1, "c": 2}


def test_a_second_environments_key_in_rollout_yaml_is_exit_2(tmp_path: Path, run: Run) -> None:
    """Before: the last list won, approving the batch for production without a word."""
    twice = ROLLOUT + "    environments: [local, production]\n"
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a"), "content/rollout.yaml": twice})
    result = run(root, "plan", "--offline")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'content' / 'rollout.yaml'}:5: not valid YAML: duplicate key "
        "'environments' (given twice in one mapping): YAML would silently keep only the last\n"
    )


def test_a_status_given_twice_in_frontmatter_is_a_finding_and_never_approves() -> None:
    text = "---\nid: docs.a\ntitle: A\nstatus: draft\nstatus: approved\n---\nBody.\n"
    item, problems = parse_item("content/docs/a.md", text, "doc")
    assert item is None
    [problem] = problems
    assert (problem.rule, problem.line) == ("schema.yaml", 5)
    assert "duplicate key 'status' (given twice in one mapping)" in problem.message
