"""Create or adopt: a create whose answer was lost is found and adopted, never duplicated."""

from __future__ import annotations

import pytest

from pipeline.api import (
    AmbiguousAdoptionError,
    InvalidRequestError,
    QaDocument,
    ServerError,
    TextDocument,
    TransportError,
    UppzyClient,
)
from pipeline.sandbox import Sandbox
from tests.api.conftest import SITE, MakeClient, logged

HOURS = TextDocument("Opening hours", "We are open 9 to 5.", "support")


def titles(sandbox: Sandbox) -> list[str]:
    return sorted(doc["title"] for doc in sandbox.documents(SITE))


def creates(sandbox: Sandbox, expect: int | None = None) -> int:
    return logged(sandbox, "createTextDocument", expect=expect)


def test_a_plain_success_is_not_adopted(local: UppzyClient, sandbox: Sandbox) -> None:
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert (outcome.adopted, outcome.patched, outcome.creates_sent) == (False, False, 1)
    assert titles(sandbox) == ["Opening hours"]
    assert len(sandbox.request_log(operation="listDocuments")) == 0


@pytest.mark.parametrize("kind", ["500", "503", "timeout", "reset"])
def test_a_create_lost_after_the_sandbox_acted_is_adopted(
    make_local: MakeClient, sandbox: Sandbox, kind: str
) -> None:
    client = make_local(read_timeout=0.25)
    sandbox.faults.script(kind, operation="createTextDocument", when="after")  # type: ignore[arg-type]
    outcome = client.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert outcome.adopted and outcome.creates_sent == 1
    (stored,) = sandbox.documents(SITE)
    assert stored["id"] == outcome.document.id
    assert creates(sandbox, expect=1) == 1


@pytest.mark.parametrize("kind", ["503", "timeout", "reset"])
def test_a_create_that_failed_before_the_work_is_sent_again(
    make_local: MakeClient, sandbox: Sandbox, kind: str
) -> None:
    client = make_local(read_timeout=0.25)
    sandbox.faults.script(kind, operation="createTextDocument", when="before")  # type: ignore[arg-type]
    outcome = client.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert not outcome.adopted and outcome.creates_sent == 2
    assert titles(sandbox) == ["Opening hours"]


def test_a_429_is_retried_plainly_without_a_listing(local: UppzyClient, sandbox: Sandbox) -> None:
    sandbox.faults.script("429", times=2, operation="createTextDocument")
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert not outcome.adopted
    assert creates(sandbox, expect=3) == 3
    assert len(sandbox.request_log(operation="listDocuments")) == 0
    assert titles(sandbox) == ["Opening hours"]


def test_a_document_already_mapped_is_never_adopted(local: UppzyClient, sandbox: Sandbox) -> None:
    mapped = local.create_text_document(SITE, HOURS)
    sandbox.faults.script("503", operation="createTextDocument", when="before")
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids={mapped.id})
    assert not outcome.adopted and outcome.document.id != mapped.id
    assert titles(sandbox) == ["Opening hours", "Opening hours"]


def test_only_the_same_type_and_title_is_adopted(local: UppzyClient, sandbox: Sandbox) -> None:
    local.create_qa_document(SITE, QaDocument("Opening hours", "When?", "9 to 5"))
    local.create_text_document(SITE, TextDocument("Opening hours (old)", "x"))
    sandbox.faults.script("503", operation="createTextDocument", when="before")
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert not outcome.adopted
    assert len(sandbox.documents(SITE)) == 3


def test_an_adopted_document_with_other_content_is_brought_up_to_date(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    # An earlier run's create of an older version, never recorded (a crash after sending).
    stale = local.create_text_document(SITE, TextDocument("Opening hours", "Open 10 to 4.", "old"))
    sandbox.faults.script("503", operation="createTextDocument", when="before")
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert outcome.adopted and outcome.patched and outcome.document.id == stale.id
    (stored,) = sandbox.documents(SITE)
    assert (stored["content"], stored["category"]) == ("We are open 9 to 5.", "support")


def test_creates_are_bounded_when_each_fails_uncertainly_before_the_work(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    sandbox.faults.script("503", times=10, operation="createTextDocument", when="before")
    with pytest.raises(ServerError):
        local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert creates(sandbox, expect=3) == 3
    assert sandbox.documents(SITE) == []


def test_a_certain_failure_is_raised_without_a_listing(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    with pytest.raises(InvalidRequestError):
        local.create_or_adopt_document(SITE, TextDocument("", "x"), known_ids=set())
    assert len(sandbox.request_log(operation="listDocuments")) == 0


def test_on_a_real_port_a_reset_after_the_work_is_adopted(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str]
) -> None:
    sandbox, _ = port_sandbox
    client = make_remote()
    sandbox.faults.script("reset", operation="createTextDocument", when="after")
    outcome = client.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert outcome.adopted
    assert titles(sandbox) == ["Opening hours"]


def test_on_a_real_port_a_timeout_after_the_work_is_adopted(
    make_remote: MakeClient, port_sandbox: tuple[Sandbox, str]
) -> None:
    sandbox, _ = port_sandbox
    client = make_remote(read_timeout=0.25)
    sandbox.faults.script("timeout", operation="createTextDocument", when="after")
    outcome = client.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert outcome.adopted
    assert titles(sandbox) == ["Opening hours"]


def test_a_plain_create_with_a_lost_answer_raises_an_uncertain_error(
    make_local: MakeClient, sandbox: Sandbox
) -> None:
    client = make_local(read_timeout=0.25)
    sandbox.faults.script("reset", operation="createTextDocument", when="after")
    with pytest.raises(TransportError) as caught:
        client.create_text_document(SITE, HOURS)
    assert caught.value.uncertain
    assert titles(sandbox) == ["Opening hours"]  # it did happen: hence create_or_adopt


def test_a_batch_reconciles_its_uncertain_creates_with_one_listing(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    sandbox.faults.script("503", times=3, operation="createTextDocument", when="after")
    sandbox.faults.script("503", times=2, operation="createTextDocument", when="before")
    payloads = [TextDocument(f"Doc {n}", f"Body {n}") for n in range(20)]
    outcomes = local.create_or_adopt_documents(SITE, payloads, known_ids=set(), concurrency=4)
    assert all(not isinstance(outcome, Exception) for outcome in outcomes)
    done = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert [o.document.title for o in done] == [p.title for p in payloads]
    assert sum(o.adopted for o in done) == 3
    assert sum(o.creates_sent == 2 for o in done) == 2
    assert titles(sandbox) == sorted(p.title for p in payloads)
    assert len(sandbox.request_log(operation="listDocuments")) == 1
    assert creates(sandbox) == 22


def test_a_batch_reports_each_final_error_in_place(local: UppzyClient, sandbox: Sandbox) -> None:
    payloads = [TextDocument("Good", "x"), TextDocument("", "no title"), TextDocument("Fine", "y")]
    outcomes = local.create_or_adopt_documents(SITE, payloads, known_ids=set())
    assert isinstance(outcomes[1], InvalidRequestError)
    assert [type(o).__name__ for o in (outcomes[0], outcomes[2])] == ["CreateOutcome"] * 2
    assert titles(sandbox) == ["Fine", "Good"]


def test_a_failed_listing_leaves_each_uncertain_create_its_own_error(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    sandbox.faults.script("503", operation="createTextDocument", when="after")
    sandbox.faults.script("500", times=10, operation="listDocuments")
    with pytest.raises(ServerError) as caught:
        local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert caught.value.endpoint == "create_text_document" and caught.value.uncertain
    assert creates(sandbox) == 1  # not sent again without knowing


def test_a_lost_create_among_several_copies_is_an_error_naming_them_all(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    # Two copies of the same document already on the site, neither mapped: the lost create's
    # own document is a third, and nothing tells the three apart.
    copies = {local.create_text_document(SITE, HOURS).id for _ in range(2)}
    sandbox.faults.script("503", operation="createTextDocument", when="after")
    with pytest.raises(AmbiguousAdoptionError) as caught:
        local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    stored = {doc["id"] for doc in sandbox.documents(SITE)}
    assert len(stored) == 3 and copies < stored
    assert caught.value.document_ids == tuple(sorted(stored))
    assert all(doc_id in caught.value.message for doc_id in stored)
    assert caught.value.uncertain and caught.value.endpoint == "create_text_document"
    assert creates(sandbox, expect=3) == 3  # the two copies and the lost one: not sent again
    assert len(sandbox.request_log(operation="updateDocument")) == 0


def test_several_stale_matches_after_a_create_that_did_nothing_are_not_adopted(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    stale = TextDocument("Opening hours", "Open 10 to 4.", "old")
    olds = {local.create_text_document(SITE, stale).id for _ in range(2)}
    sandbox.faults.script("503", operation="createTextDocument", when="before")
    with pytest.raises(AmbiguousAdoptionError) as caught:
        local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    assert set(caught.value.document_ids) == olds
    assert sorted(doc["content"] for doc in sandbox.documents(SITE)) == ["Open 10 to 4."] * 2
    assert creates(sandbox, expect=3) == 3  # two copies, one refused create: none sent again


def test_among_several_matches_the_one_holding_the_exact_text_is_adopted(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    stale = TextDocument("Opening hours", "Open 10 to 4.", "old")
    olds = {local.create_text_document(SITE, stale).id for _ in range(2)}
    sandbox.faults.script("reset", operation="createTextDocument", when="after")
    outcome = local.create_or_adopt_document(SITE, HOURS, known_ids=set())
    (created,) = {doc["id"] for doc in sandbox.documents(SITE)} - olds
    assert outcome.adopted and not outcome.patched and outcome.document.id == created
    contents = sorted(doc["content"] for doc in sandbox.documents(SITE))
    assert contents == ["Open 10 to 4.", "Open 10 to 4.", "We are open 9 to 5."]


def test_a_batch_keeps_going_past_an_ambiguous_payload(
    local: UppzyClient, sandbox: Sandbox
) -> None:
    for _ in range(2):
        local.create_text_document(SITE, HOURS)
    sandbox.faults.script("503", times=2, operation="createTextDocument", when="after")
    payloads = [HOURS, TextDocument("Prices", "Ten euros.")]
    outcomes = local.create_or_adopt_documents(SITE, payloads, known_ids=set(), concurrency=1)
    assert isinstance(outcomes[0], AmbiguousAdoptionError)
    assert not isinstance(outcomes[1], Exception) and outcomes[1].adopted
    assert titles(sandbox) == ["Opening hours"] * 3 + ["Prices"]
