"""Keys, plans and scope: a key reaches its own tenant and sites and nothing else."""

from __future__ import annotations

import httpx
import pytest

from pipeline.sandbox import IN_PROCESS_BASE_URL, Sandbox, Scope
from tests.sandbox.conftest import ClientFactory
from tests.sandbox.support import create_text

FORBIDDEN_SITE = "forbidden: the API key is not allowed to use this site"
FORBIDDEN_TENANT = "forbidden: the API key is not allowed to use this tenant"


@pytest.mark.parametrize("api_key", [None, "", "key-nobody", "KEY-ACME", "key-acme "])
def test_a_missing_or_unknown_key_is_401_invalid_api_key(
    connect: ClientFactory, api_key: str | None
) -> None:
    client = connect(api_key)
    for path in ("/m2m/tenants/t_acme/limits", "/m2m/sites/s_help/documents"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (401, {"error": "invalid_api_key"})


def test_a_level1_plan_is_403_api_access_not_available_on_plan(connect: ClientFactory) -> None:
    basic = connect("key-basic")
    for path in ("/m2m/tenants/t_basic", "/m2m/sites/s_basic/statistics"):
        response = basic.get(path)
        assert response.status_code == 403
        assert response.json() == {"error": "api_access_not_available_on_plan"}


def test_a_key_reads_its_own_tenant_and_sites(connect: ClientFactory) -> None:
    acme = connect("key-acme")
    assert acme.get("/m2m/tenants/t_acme").json() == {
        "id": "t_acme",
        "name": "Acme",
        "plan": "level2",
    }
    assert acme.get("/m2m/sites/s_help").json() == {
        "id": "s_help",
        "tenant_id": "t_acme",
        "name": "Help centre",
    }
    assert acme.get("/m2m/sites/s_shop").json()["name"] == "s_shop"


def test_another_tenants_tenant_or_site_is_403(connect: ClientFactory) -> None:
    beta = connect("key-beta")
    assert beta.get("/m2m/tenants/t_acme/limits").json() == {"error": FORBIDDEN_TENANT}
    for method, path, body in [
        ("GET", "/m2m/sites/s_help/documents", None),
        ("POST", "/m2m/sites/s_help/documents/text", {"title": "x", "content": "y"}),
        ("POST", "/m2m/sites/s_help/documents/bulk-delete", {"document_ids": []}),
        ("POST", "/m2m/sites/s_help/chat", {"session_id": "s", "message": "hi"}),
    ]:
        response = beta.request(method, path, json=body)
        assert (response.status_code, response.json()) == (403, {"error": FORBIDDEN_SITE})


def test_a_key_limited_to_one_site_cannot_use_its_tenants_other_site(
    connect: ClientFactory, sandbox: Sandbox
) -> None:
    shop = connect("key-acme-shop")
    assert shop.get("/m2m/sites/s_shop/documents").status_code == 200
    assert shop.get("/m2m/tenants/t_acme").status_code == 200
    response = shop.post("/m2m/sites/s_help/documents/text", json={"title": "x", "content": "y"})
    assert (response.status_code, response.json()) == (403, {"error": FORBIDDEN_SITE})
    assert sandbox.documents("s_help") == []


def test_a_key_cannot_touch_another_sites_documents_by_id(connect: ClientFactory) -> None:
    acme, beta = connect("key-acme"), connect("key-beta")
    document = create_text(acme, "s_help", status="active")
    # Through its own site, beta's key does not see acme's document ids.
    response = beta.patch(f"/m2m/sites/s_beta/documents/{document['id']}", json={"title": "x"})
    assert (response.status_code, response.json()) == (404, {"error": "document not found"})
    deleted = beta.post(
        "/m2m/sites/s_beta/documents/bulk-delete", json={"document_ids": [document["id"]]}
    )
    assert deleted.json() == {"deleted": 0}
    updated = beta.patch(
        "/m2m/sites/s_beta/documents/bulk-status",
        json={"document_ids": [document["id"]], "status": "draft"},
    )
    assert updated.json() == {"updated": 0}
    assert acme.get("/m2m/sites/s_help/documents").json()["documents"][0]["status"] == "active"


def test_unknown_tenant_and_site_are_404(acme: httpx.Client) -> None:
    assert acme.get("/m2m/tenants/t_nobody").json() == {"error": "tenant not found"}
    response = acme.get("/m2m/sites/s_nobody/documents")
    assert (response.status_code, response.json()) == (404, {"error": "site not found"})


def test_the_key_is_checked_before_the_site_exists(connect: ClientFactory) -> None:
    response = connect("key-nobody").get("/m2m/sites/s_nobody")
    assert response.status_code == 401


def test_unknown_paths_and_methods_answer_json(acme: httpx.Client) -> None:
    missing = acme.get("/m2m/nothing/here")
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})
    wrong = acme.delete("/m2m/sites/s_help/documents/doc_1")
    assert (wrong.status_code, wrong.json()) == (405, {"error": "method not allowed"})
    assert wrong.headers["allow"] == "PATCH"


def test_open_scope_serves_requests_without_a_key() -> None:
    with Sandbox(open_scope=Scope.local()) as box:
        client = httpx.Client(base_url=IN_PROCESS_BASE_URL, transport=box.transport())
        assert client.get("/m2m/tenants/t_local").json()["id"] == "t_local"
        assert client.get("/m2m/sites/s_local/documents").json()["total"] == 0
        assert client.get("/m2m/sites/s_other").json() == {"error": "site not found"}
        # A key that is given must still be valid.
        bad = client.get("/m2m/tenants/t_local", headers={"X-API-Key": "wrong"})
        assert bad.status_code == 401


def test_without_open_scope_a_keyless_request_is_401(sandbox: Sandbox) -> None:
    client = httpx.Client(base_url=IN_PROCESS_BASE_URL, transport=sandbox.transport())
    assert client.get("/m2m/tenants/t_acme").status_code == 401
