"""`[lint.links]` settings for what a site generator does beyond Markdown (issue 13): render
hook patterns, `GetPage`, assets kept elsewhere, include shortcodes — and the settings a careless
or hostile user gets wrong, each refused in one line naming the key (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers import write_repo

__all__ = ["Run"]

PAGE = "---\ntitle: Page bundles\n---\nA [page bundle](g) and [a resource](g).\n"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            'unchecked = ["^g$", "(g"]',
            "lint.links.unchecked[1]: '(g' is not a valid regular expression",
        ),
        ("unchecked = [1]", "lint.links.unchecked[0] must be a string"),
        ('unchecked = "^g$"', "lint.links.unchecked must be a list"),
        ('asset_dirs = ["../shared"]', "lint.links.asset_dirs: '../shared' must be a folder"),
        ('asset_dirs = ["/srv/static"]', "lint.links.asset_dirs: '/srv/static' must be a folder"),
        ('asset_dirs = [""]', "lint.links.asset_dirs: '' must be a folder inside"),
        ('check_assets = "no"', "lint.links.check_assets must be true or false"),
        ("getpage = 1", "lint.links.getpage must be true or false"),
        (
            'include_shortcodes = ["include %}}"]',
            "lint.links.include_shortcodes: 'include %}}' is not a shortcode name",
        ),
    ],
)
def test_bad_settings_are_one_clear_error_naming_the_key(
    tmp_path: Path, run: Run, setting: str, message: str
) -> None:
    root = write_repo(tmp_path, {"content/a.md": PAGE}, config=f"[lint.links]\n{setting}\n")
    result = run(root, "lint", "--select", "links", "--no-cache")
    assert result.exit_code == 2
    first, *rest = result.output.splitlines()
    assert first.lower().startswith("error: ") and message in first  # one line, then at most a hint
    assert all(line.startswith("  hint: ") for line in rest)


def test_glossary_links_are_counted_once_configured(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/a.md": PAGE})
    before = run(root, "lint", "--select", "links", "--no-cache", "--format", "github")
    assert before.output.count("links.broken") == 2
    (root / "kbsync.toml").write_text('[lint.links]\nunchecked = ["^g$"]\n', encoding="utf-8")
    after = run(root, "lint", "--select", "links", "--no-cache")
    assert after.output == (
        "content/a.md\n"
        "  4:17  suggestion 2 links in 1 file left unchecked: 2 match [lint.links] unchecked, a "
        "render hook's (first: 'g')  links.unchecked\n"
        "\n"
        "1 file: 0 errors, 0 warnings, 1 suggestion\n"
    )
    assert after.exit_code == 0


def test_a_hook_pattern_that_does_not_match_leaves_the_link_checked(
    tmp_path: Path, run: Run
) -> None:
    files = {"content/a.md": "---\ntitle: A\n---\n[x](gone.md) and [y](g)\n"}
    root = write_repo(tmp_path, files, config='[lint.links]\nunchecked = ["^g$"]\n')
    result = run(root, "lint", "--select", "links.broken", "--no-cache", "--format", "github")
    assert result.output.count("links.broken") == 1  # `gone.md`: no match, checked, broken


CATASTROPHIC = "^(a|a)+$"
"""Exponential on a run of `a`s that ends in anything else: hangs for hours without a limit
(the `regex` module answers `^(a+)+$` itself in 50 ms on this link; not this one)."""
LONG_LINK = "a" * 3000 + ".md"


def test_a_catastrophic_hook_pattern_gives_up_promptly_and_says_so(
    tmp_path: Path, run: Run
) -> None:
    files = {
        "content/a.md": f"---\ntitle: A\n---\n[x]({LONG_LINK}) and [y](gone.md)\n",
        "content/b.md": f"---\ntitle: B\n---\n[x]({LONG_LINK})\n",
    }
    config = f'[lint]\npattern_timeout = 0.2\n\n[lint.links]\nunchecked = ["{CATASTROPHIC}"]\n'
    root = write_repo(tmp_path, files, config=config)
    result = run(root, "lint", "--no-cache", "--format", "github")
    lines = result.output.splitlines()
    broken = [line for line in lines if "title=links.broken" in line]
    assert len(broken) == 1 and "gone.md" in broken[0]  # the timed-out links are not broken
    timeouts = [line for line in lines if "title=lint.rule-timeout" in line]
    assert [line.split(",")[0] for line in timeouts] == [
        "::warning file=content/a.md",
        "::warning file=content/b.md",
    ]  # one warning per linking file, however many links rules asked
    assert all("[lint.links] unchecked patterns ran out of" in line for line in timeouts)
    assert all("'aaaaaaaaaa" in line and "...'" in line for line in timeouts)  # shortened
    (unchecked,) = [line for line in lines if "title=links.unchecked" in line]
    assert "2 could not be matched against [lint.links] unchecked in time" in unchecked


def test_a_link_pattern_timeout_follows_select_and_ignore(tmp_path: Path, run: Run) -> None:
    files = {"content/a.md": f"---\ntitle: A\n---\n[x]({LONG_LINK}) and [y](gone.md)\n"}
    config = f'[lint]\npattern_timeout = 0.2\n\n[lint.links]\nunchecked = ["{CATASTROPHIC}"]\n'
    root = write_repo(tmp_path, files, config=config)

    def rules(output: str) -> set[str]:
        return {line.split()[-1] for line in output.splitlines() if line.startswith("  ")}

    assert "lint.rule-timeout" in rules(run(root, "lint", "--no-cache").output)
    ignored = run(root, "lint", "--no-cache", "--ignore", "lint.rule-timeout").output
    assert "lint.rule-timeout" not in rules(ignored) and "links.broken" in rules(ignored)
    selected = run(root, "lint", "--no-cache", "--select", "links.broken").output
    assert rules(selected) == {"links.broken"}


def test_the_load_warning_names_the_setting(tmp_path: Path, run: Run) -> None:
    files = {"content/a.md": "---\ntitle: A\n---\nText.\n"}
    config = f'[lint.links]\nunchecked = ["^g$", "{CATASTROPHIC}"]\n'
    root = write_repo(tmp_path, files, config=config)
    result = run(root, "lint", "--no-cache")
    assert "lint.links.unchecked[1]: pattern '^(a|a)+$' can take exponential time" in result.output
    assert "unchecked[0]" not in result.output


def test_a_changed_setting_is_not_served_from_the_cache(tmp_path: Path, run: Run) -> None:
    root = write_repo(tmp_path, {"content/a.md": PAGE})
    assert run(root, "lint", "--select", "links.broken").output.count("links.broken") == 2
    (root / "kbsync.toml").write_text('[lint.links]\nunchecked = ["^g$"]\n', encoding="utf-8")
    assert "links.broken" not in run(root, "lint", "--select", "links.broken").output
