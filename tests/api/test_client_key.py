"""The client refuses a key httpx would quote in its error, before any request is built."""

from __future__ import annotations

import pytest

from pipeline.api import UppzyClient
from pipeline.errors import ConfigError

KEY = "sbx_live_5f0c2a9d8e7b6a514c3d"


@pytest.mark.parametrize("bad", [f"{KEY}\n{KEY[::-1]}", f"{KEY}é", f"{KEY}\x00"])
def test_a_key_given_directly_is_checked_and_never_quoted(bad: str) -> None:
    with pytest.raises(ConfigError) as error:
        UppzyClient(
            base_url="http://127.0.0.1:9/api/v1", tenant_id="t", api_key=bad, api_key_env="K"
        )
    text = f"{error.value} {error.value.hint}"
    assert text.startswith("the API key in K is not usable: it holds ")
    assert KEY not in text and KEY[::-1] not in text
