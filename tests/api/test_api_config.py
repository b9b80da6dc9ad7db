"""`[environments.<env>.api]`: pagination, status words, page size — checked when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ApiConfig, settings_from_table
from pipeline.errors import ConfigError


def load(api: dict[str, object], **env: object) -> ApiConfig:
    table = {
        "environments": {
            "staging": {
                "tenant_id": "t_acme",
                "api_key_env": "KBSYNC_STAGING_KEY",
                "sites": {"s_help": {}},
                "api": api,
                **env,
            }
        }
    }
    return settings_from_table(table, root=Path("/repo")).environment("staging").api


def test_defaults_recognise_the_style_and_use_kbsyncs_words() -> None:
    api = load({})
    assert (api.pagination, api.status_words, api.per_page) == ("auto", {}, 100)
    assert (api.status_word("active"), api.status_word("draft")) == ("active", "draft")


def test_a_pinned_style_and_mapped_words_are_read() -> None:
    api = load({"pagination": "cursor", "status_words": {"active": "published"}, "per_page": 50})
    assert (api.pagination, api.per_page) == ("cursor", 50)
    assert (api.status_word("active"), api.status_word("draft")) == ("published", "draft")


@pytest.mark.parametrize(
    ("api", "env", "message"),
    [
        ({"pagination": "pages"}, {},
         "environments.staging.api.pagination must be one of auto, page, offset, cursor, not 'pages'"),
        ({"status_words": {"live": "on"}}, {},
         "environments.staging.api.status_words.live: kbsync has no status 'live'"),
        ({"status_words": {"active": " "}}, {}, "environments.staging.api.status_words.active is empty"),
        ({"status_words": {"active": "Draft"}}, {},
         "environments.staging.api.status_words maps active and draft to the same word 'Draft'"),
        ({"per_page": 500}, {}, "environments.staging.api.per_page must be between 1 and 100, not 500"),
        ({"paging": "auto"}, {}, "unknown key 'environments.staging.api.paging'"),
        ({}, {"sandbox_dialect": "graphql"},
         "environments.staging.sandbox_dialect must be one of page, offset, cursor, not 'graphql'"),
    ],
)  # fmt: skip
def test_a_setting_kbsync_could_not_apply_is_a_config_error_naming_it(
    api: dict[str, object], env: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(api, **env)
    assert str(caught.value) == f"/repo/kbsync.toml: {message}"
