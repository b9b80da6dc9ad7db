"""`UppzyClient.raw`: an endpoint's decoded JSON, unparsed (for `kbsync probe`)."""

from __future__ import annotations

import pytest

from pipeline.api import NotFoundError, TextDocument, UppzyClient
from pipeline.sandbox import Sandbox
from tests.api.conftest import SITE, TENANT


def test_raw_returns_the_body_as_sent(local: UppzyClient) -> None:
    assert local.raw("tenant") == {"id": TENANT, "name": TENANT, "plan": "level2"}
    doc = local.create_text_document(SITE, TextDocument("Hours", "9 to 5"))
    listed = local.raw("list_documents", query={"page": 1, "per_page": 10}, site_id=SITE)
    assert (listed["total"], listed["per_page"], listed["documents"][0]["id"]) == (1, 10, doc.id)
    body = {"document_ids": [doc.id]}
    assert local.raw("bulk_delete", body=body, site_id=SITE) == {"deleted": 1}


def test_raw_raises_typed_errors_and_refuses_unknown_endpoints(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    with pytest.raises(NotFoundError):
        local.raw("site", site_id="s_missing")
    with pytest.raises(ValueError, match="unknown Uppzy endpoint 'nope'"):
        local.raw("nope")
