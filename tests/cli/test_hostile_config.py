"""Careless and hostile repositories through the CLI: one line and exit 2, never a traceback,
never a file outside `.kbsync/`, never a plan that deletes everything for want of content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import ROLLOUT_ALL, doc, write_repo

LOCAL = """\
[environments.local]
base_url = "sandbox:"
tenant_id = "t_local"
sandbox_ready_delay = 0.0

[environments.local.sites.s_local]
"""


def _repo(tmp_path: Path, config: str = LOCAL, rollout: str | None = None) -> Path:
    files: dict[str, str | bytes] = {"content/docs/a.md": doc("docs.a")}
    if rollout is not None:
        files["content/rollout.yaml"] = rollout
    return write_repo(tmp_path / "repo", files, config=config)


def _one_error(result_output: str) -> str:
    assert "Traceback" not in result_output
    return result_output


# ------------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('[environments.local.sites."../../../pwned"]', "site id '../../../pwned'"),
        ('[environments.local.sites."a/b"]', "site id 'a/b'"),
        ('[environments.local.sites.".hidden"]', "site id '.hidden'"),
        ('[environments."../up"]\nbase_url = "sandbox:"', "environment name '../up'"),
        ('[environments.local.sites."s_x\\n"]', "site id 's_x\\n'"),
        ("[environments.local.sites.CON]", "site id 'CON'"),
        ("[environments.local.sites.nul]", "site id 'nul'"),
    ],
)
def test_a_site_or_environment_id_that_is_a_path_is_refused(
    tmp_path: Path, run: Run, table: str, named: str
) -> None:
    root = _repo(tmp_path, LOCAL + table + "\n")
    result = run(root, "pause", "--env", "local", "--reason", "maintenance")
    assert result.exit_code == 2
    assert named in result.output
    assert f"{root / 'kbsync.toml'}: " in result.output
    assert "not a safe identifier" in result.output
    assert not list(tmp_path.rglob("pwned*")) and not list(tmp_path.rglob("*.lock"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[environments.local.sites.S_local]",
            "[environments.local.sites]: 's_local' and 'S_local' differ only in case",
        ),
        (
            '[environments.Local]\nbase_url = "sandbox:"\ntenant_id = "t"\n'
            "[environments.Local.sites.s_local]",
            "[environments]: 'local' and 'Local' differ only in case",
        ),
    ],
)
def test_ids_that_differ_only_in_case_are_refused(
    tmp_path: Path, run: Run, table: str, message: str
) -> None:
    """On macOS and Windows both would read and write one state file."""
    root = _repo(tmp_path, LOCAL + table + "\n")
    result = run(root, "pause", "--env", "local", "--reason", "maintenance")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {root / 'kbsync.toml'}: {message};")
    assert not (root / ".kbsync" / "state").exists()


def test_a_tenant_id_that_is_a_path_is_refused(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path, LOCAL.replace('"t_local"', '"t/../../x"'))
    result = run(root, "plan")
    assert result.exit_code == 2
    assert "environments.local.tenant_id: tenant id 't/../../x' is not a safe identifier" in (
        result.output
    )


def test_pause_with_safe_ids_writes_under_kbsync(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path, LOCAL + '[environments.local.sites."help.v2"]\n')
    result = run(root, "pause", "--env", "local", "--reason", "maintenance")
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("help.v2*"))
    assert written == [".kbsync/state/local/help.v2.json", ".kbsync/state/local/help.v2.lock"]


def test_a_state_folder_linked_out_of_kbsync_is_refused(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".kbsync" / "state").mkdir(parents=True)
    (root / ".kbsync" / "state" / "local").symlink_to(outside)
    result = run(root, "pause", "--env", "local", "--reason", "maintenance")
    assert result.exit_code == 1
    assert "the state file of local/s_local resolves outside" in _one_error(result.output)
    assert list(outside.iterdir()) == []


# ----------------------------------------------------------------------------- no content


@pytest.mark.parametrize("command", [["lint"], ["plan"], ["sync", "--yes"]])
def test_a_misspelt_content_dir_is_exit_2_naming_the_folder(
    tmp_path: Path, run: Run, command: list[str]
) -> None:
    root = _repo(tmp_path, 'content_dir = "contnet"\n' + LOCAL)
    result = run(root, *command)
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'contnet'}: the content folder does not exist\n"
        "  hint: set content_dir in kbsync.toml to the folder holding your Markdown, "
        "or run `kbsync init`\n"
    )


@pytest.mark.parametrize("command", [["lint"], ["plan"], ["sync", "--yes"]])
def test_an_empty_folder_is_exit_2(tmp_path: Path, run: Run, command: list[str]) -> None:
    result = run(tmp_path, *command)
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'content'}: the content folder does not exist" in result.output


def test_a_content_folder_without_markdown_is_exit_2(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/notes.txt": "hi"}, config=LOCAL)
    result = run(root, "lint")
    assert result.exit_code == 2
    assert "the content folder holds no content files (.md, .markdown)" in result.output


@pytest.mark.parametrize("command", [["lint"], ["plan"], ["sync", "--yes"]])
def test_a_missing_rollout_is_exit_2_and_nothing_is_deleted(
    tmp_path: Path, run: Run, command: list[str]
) -> None:
    root = _repo(tmp_path)
    assert run(root, "sync", "--yes").exit_code == 0
    (root / "content" / "rollout.yaml").unlink()
    result = run(root, *command)
    assert (result.exit_code, result.output) == (
        2,
        f"error: {root / 'content' / 'rollout.yaml'}: no rollout file: without it no content "
        "is approved for any environment, and a sync would remove every document it manages\n"
        "  hint: create rollout.yaml listing your batches (`kbsync init` writes a starter), "
        "or set content_dir in kbsync.toml if the content lives elsewhere\n",
    )
    state = json.loads((root / ".kbsync/state/local/s_local.json").read_text())
    assert list(state["entries"]) == ["docs.a"]


def test_the_new_repository_of_init_passes_the_content_checks(tmp_path: Path, run: Run) -> None:
    assert run(tmp_path, "init").exit_code == 0
    assert run(tmp_path, "lint").exit_code in (0, 1)
    assert run(tmp_path, "plan").exit_code == 0


# ------------------------------------------------------------------- rollout environments


def test_a_rollout_environment_the_config_does_not_define_is_named(
    tmp_path: Path, run: Run
) -> None:
    rollout = (
        ROLLOUT_ALL + "  - id: later\n    include: [qa/**]\n    environments: [local, stagin]\n"
    )
    root = _repo(tmp_path, rollout=rollout)
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {root / 'content' / 'rollout.yaml'}:5: batch 'later' names environment "
        "'stagin', which kbsync.toml does not define (defined: local)\n"
        "  hint: fix the name, or add an [environments.stagin] table to kbsync.toml\n"
    )


def test_an_environment_named_in_another_case_says_which_was_meant(
    tmp_path: Path, run: Run
) -> None:
    rollout = ROLLOUT_ALL + "  - id: later\n    include: [qa/**]\n    environments: [Local]\n"
    root = _repo(tmp_path, rollout=rollout)
    result = run(root, "lint")
    assert result.exit_code == 2
    assert result.output.endswith("  hint: environment names are case-sensitive: write 'local'\n")
    result = run(_repo(tmp_path / "other", rollout=ROLLOUT_ALL), "plan", "--env", "LOCAL")
    assert result.exit_code == 2
    assert result.output.endswith(
        "  hint: environment names are case-sensitive: did you mean 'local'?\n"
    )


def test_the_built_in_local_environment_is_defined(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/docs/a.md": doc("docs.a")})  # no kbsync.toml
    assert run(root, "plan").exit_code == 0


# ------------------------------------------------------------------------ unreadable files


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path)
    (root / "kbsync.toml").write_bytes(b'content_dir = "content"\n# caf\xe9\n')
    result = run(root, "lint")
    assert (result.exit_code, result.output) == (
        2,
        f"error: {root / 'kbsync.toml'}:2: not valid UTF-8 (byte 0xe9)\n"
        "  hint: TOML files are UTF-8: re-save the file as UTF-8\n",
    )


def test_a_rollout_with_a_control_character_is_one_line(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path, rollout="batches: \x01\n")
    result = run(root, "plan")
    assert result.exit_code == 2
    assert _one_error(result.output).startswith(f"error: {root / 'content' / 'rollout.yaml'}: ")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"[]", "it holds a JSON array, not an object"),
        (b'"state"', "it holds a JSON string, not an object"),
        (b"null", "it holds a JSON null, not an object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"version": 1, "target": [], "revision": 0}', "target: a JSON array where an object"),
        (
            b'{"version": 1, "target": {"environment": "local", "site": "s_local"}, '
            b'"revision": "7"}',
            "revision: a JSON string where a whole number belongs",
        ),
        (
            b'{"version": 1, "target": {"environment": "local", "site": "s_local"}, '
            b'"revision": 1, "claim": {"run": "r", "host": "h", "pid": 1, "at": "yesterday"}}',
            "time data 'yesterday'",
        ),
        (
            b'{"version": 1, "target": {"environment": "local", "site": "s_local"}, '
            b'"revision": 1, "entries": {"docs.a": {"doc_id": 5}}}',
            "entries.'docs.a'.doc_id: a JSON number where a string belongs",
        ),
        (
            b'{"version": 1, "target": {"environment": "local", "site": "s_local"}, '
            b'"revision": 1, "entries": {"docs.a": {"doc_id": "d", "hash": "h", "status": "gone",'
            b' "type": "text", "title": "A", "path": "content/docs/a.md"}}}',
            "entries.'docs.a'.status: 'gone' is not one of active, draft",
        ),
        (
            b'{"version": 1, "target": {"environment": "local", "site": "s_local"}, '
            b'"revision": 1, "entries": {"docs.a": {"doc_id": "d", "hash": "h", "status": '
            b'"active", "type": "text", "title": "A", "path": "content/docs/a.md"}, "docs.b": '
            b'{"doc_id": "d", "hash": "h", "status": "active", "type": "text", "title": "B", '
            b'"path": "content/docs/b.md"}}}',
            "entries 'docs.a' and 'docs.b' both hold document 'd'",
        ),
    ],
)
@pytest.mark.parametrize("command", [["plan"], ["sync", "--yes"], ["pause", "--env", "local"]])
def test_a_state_file_of_any_shape_is_one_line_with_the_way_back(
    tmp_path: Path, run: Run, data: bytes, why: str, command: list[str]
) -> None:
    root = _repo(tmp_path)
    state = root / ".kbsync" / "state" / "local" / "s_local.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(data)
    args = [*command, "--reason", "x"] if command[0] == "pause" else command
    result = run(root, *args)
    assert result.exit_code == 1
    first, hint = _one_error(result.output).splitlines()
    assert first.startswith(f"error: {state}: cannot read the sync state: ")
    assert why in first
    assert hint.startswith("  hint: restore it from a backup")
    assert "kbsync sync --adopt" in hint
    assert state.read_bytes() == data


def test_a_record_whose_commit_is_an_option_is_refused(tmp_path: Path, run: Run) -> None:
    root = _repo(tmp_path)
    assert run(root, "sync", "--yes").exit_code == 0
    state = root / ".kbsync" / "state" / "local" / "s_local.json"
    data = json.loads(state.read_text())
    data["records"] = {"smoke": {"passed": True, "at": "2026-11-23T10:00:00Z", "commit": "--x"}}
    state.write_text(json.dumps(data))
    from pipeline.config import load_settings
    from pipeline.ops.records import load_record
    from pipeline.sync.state import StateError
    from pipeline.targets import Target

    with pytest.raises(StateError, match=r"records.smoke: not a kbsync record \(its commit"):
        load_record(load_settings(root), Target("local", "s_local"), "smoke")


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("id: ../../evil", "content/docs/a.md:2: id '../../evil' is not a safe identifier"),
        (
            "id: docs.a\nbatch: ../all",
            "content/docs/a.md:3: batch '../all' is not a safe identifier",
        ),
    ],
)
@pytest.mark.parametrize("command", [["plan"], ["sync", "--yes", "--skip-lint"]])
def test_an_item_id_or_batch_that_is_a_path_stops_plan_and_sync(
    tmp_path: Path, run: Run, front: str, message: str, command: list[str]
) -> None:
    root = _repo(tmp_path)
    text = doc("docs.a").replace("id: docs.a", front)
    (root / "content" / "docs" / "a.md").write_text(text, encoding="utf-8")
    result = run(root, *command)
    assert result.exit_code == 2
    assert f"error: {message}" in _one_error(result.output)
    assert not (root / ".kbsync" / "state" / "local" / "s_local.json").exists() or (
        "evil" not in (root / ".kbsync" / "state" / "local" / "s_local.json").read_text()
    )


@pytest.mark.parametrize(
    ("in_the_way", "message"),
    [
        ("state/local", "local/s_local.lock: cannot write the sync state: File exists"),
        ("state/local/s_local.lock/", "s_local.lock: cannot write the sync state: Is a directory"),
        ("state/local/s_local.json/", "s_local.json: cannot read the sync state: Is a directory"),
    ],
)
def test_a_file_or_folder_in_the_way_of_the_state_is_one_line(
    tmp_path: Path, run: Run, in_the_way: str, message: str
) -> None:
    root = _repo(tmp_path)
    blocker = root / ".kbsync" / in_the_way
    blocker.parent.mkdir(parents=True, exist_ok=True)
    if in_the_way.endswith("/"):
        blocker.mkdir()
    else:
        blocker.write_text("")
    result = run(root, "pause", "--env", "local", "--reason", "maintenance")
    assert result.exit_code == 1
    first = _one_error(result.output).splitlines()[0]
    assert first.startswith("error: ") and first.endswith(message)
