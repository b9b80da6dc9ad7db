"""The mass-delete guard counts the documents on the site, unmanaged ones included (issue 12)."""

from __future__ import annotations

import pytest

from pipeline.api.models import TextDocument
from pipeline.sync.service import SyncRefused
from tests.sync.conftest import Harness


def test_prune_counts_the_sites_documents_not_only_the_managed_ones(harness: Harness) -> None:
    harness.sync()
    assert len(harness.docs()) == 5
    for n in range(8):
        harness.client.create_text_document(
            "s_local", TextDocument(title=f"Made by hand {n}", content="Written in the dashboard.")
        )
    with pytest.raises(SyncRefused) as refused:
        harness.sync(prune=True)
    assert refused.value.message == (
        "local/s_local: the plan deletes 8 of 13 documents on the site (more than 20%)"
    )
    assert len(harness.docs()) == 13
    outcome = harness.sync(prune=True, allow_mass_delete=True)
    assert outcome.result.deleted == 8 and len(harness.docs()) == 5
