"""The OpenAPI document covers every route, and real responses match what it declares.

schemathesis (test_schemathesis.py) fuzzes from the document; this walks the happy paths it
cannot reach on its own (real document and request ids) and validates each response.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from starlette.routing import Mount, Route

from pipeline.sandbox import Sandbox
from pipeline.sandbox.endpoints import ENDPOINTS, operation_of
from pipeline.sandbox.openapi import openapi_document
from tests.sandbox.support import FakeClock, create_qa, create_text


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            found[operation["operationId"]] = (method.upper(), path, operation)
    return found


def test_every_route_is_documented_and_every_operation_served(
    document: dict[str, Any], sandbox: Sandbox
) -> None:
    documented = {(m, p) for m, p, _ in _operations(document).values()}
    [mount] = sandbox.api.routes
    assert isinstance(mount, Mount)
    served = set()
    for route in mount.routes:
        assert isinstance(route, Route)
        if route.path != "/openapi.json":
            served.update(
                (method, route.path) for method in route.methods or () if method != "HEAD"
            )
    assert served == documented
    assert len(documented) == len(ENDPOINTS) == 23


def test_the_document_is_openapi_3_1_with_the_api_key_scheme(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"] == {
        "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    for method, path, operation in _operations(document).values():
        assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, f"{method} {path}"
        assert {"429", "500", "503"} <= set(operation["responses"])


def test_bulk_status_is_routed_before_the_document_id() -> None:
    path = "/api/v1/m2m/sites/s/documents/bulk-status"
    assert operation_of("PATCH", path) == "bulkUpdateDocumentStatus"
    assert operation_of("PATCH", "/api/v1/m2m/sites/s/documents/doc_1") == "updateDocument"
    assert operation_of("GET", "/api/v1/m2m/sites/s/documents") == "listDocuments"
    assert operation_of("DELETE", "/api/v1/m2m/sites/s/documents") is None


def test_real_responses_match_their_documented_schemas(
    document: dict[str, Any], acme: httpx.Client, clock: FakeClock, sandbox: Sandbox
) -> None:
    operations = _operations(document)
    checked: set[str] = set()

    def check(response: httpx.Response) -> dict[str, Any]:
        entry = sandbox.request_log()[-1]
        assert entry.operation is not None
        _, _, operation = operations[entry.operation]
        declared = operation["responses"][str(response.status_code)]
        schema = declared["content"]["application/json"]["schema"]
        jsonschema.Draft202012Validator(
            {**schema, "components": document["components"]},
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        ).validate(response.json())
        checked.add(entry.operation)
        body: dict[str, Any] = response.json()
        return body

    site = "/m2m/sites/s_help"
    for suffix in ("", "/limits", "/usage", "/usage/history", "/statistics"):
        check(acme.get(f"/m2m/tenants/t_acme{suffix}"))
    text = create_text(acme, status="active")
    check(acme.post(f"{site}/documents/text", json={"title": "T", "content": "c"}))
    check(acme.post(f"{site}/documents/qa", json={"question": "Q?", "answer": "A."}))
    check(acme.post(f"{site}/documents", files={"file": ("f.pdf", b"%PDF", "application/pdf")}))
    create_qa(acme)
    check(acme.patch(f"{site}/documents/{text['id']}", json={"category": "support"}))
    check(
        acme.patch(f"{site}/documents/bulk-status", json={"document_ids": [], "status": "active"})
    )
    check(acme.get(f"{site}/documents"))
    clock.advance(1)
    answer = check(acme.post(f"{site}/chat", json={"session_id": "s", "message": "support hours"}))
    pending = check(acme.post(f"{site}/chat/async", json={"session_id": "s", "message": "x"}))
    check(acme.get(f"{site}/chat/requests/{pending['request_id']}"))
    clock.advance(1)
    check(acme.get(f"{site}/chat/requests/{pending['request_id']}"))
    feedback = {"session_id": "s", "request_id": answer["request_id"], "feedback": "good"}
    check(acme.post(f"{site}/chat/feedback", json=feedback))
    check(acme.post(f"{site}/chat/feedback", json=feedback))
    check(acme.post(f"{site}/chat/session/close", json={"session_id": "s"}))
    check(acme.post(f"{site}/chat", json={"session_id": "s", "message": "again"}))
    check(acme.get(f"{site}/sessions"))
    check(acme.get(f"{site}/users/ann@example.test/statistics"))
    check(acme.get(site))
    check(acme.get(f"{site}/statistics"))
    check(acme.get(f"{site}/widget-config"))
    check(acme.patch(f"{site}/widget-config", json={"title": "Help", "enabled": False}))
    check(acme.patch(f"{site}/widget-config", json={"colour": "red"}))
    check(acme.post(f"{site}/documents/bulk-delete", json={"document_ids": [text["id"]]}))
    check(acme.get("/m2m/sites/s_beta"))
    check(acme.post(f"{site}/documents/text", json={"title": 1}))
    assert checked == set(operations)
