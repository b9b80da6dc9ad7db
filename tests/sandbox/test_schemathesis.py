"""Property-based contract test: schemathesis fuzzes every operation of the sandbox's OpenAPI
document against the sandbox on a real port, and every response must conform to it.

It runs all of schemathesis's default checks (no 5xx, documented status codes, content types
and response schemas, invalid data rejected, valid data accepted, auth enforced, 405 with
Allow for undeclared methods). The example count is bounded so it stays fast enough for CI.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from pipeline.sandbox import Sandbox, parse_keys, run_on_port
from pipeline.sandbox.openapi import openapi_document

KEY = "key-fuzz"
MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    # The schema's path examples name t_local / s_local, so the fuzzer reaches real data too.
    keys = parse_keys({"keys": {KEY: {"tenant_id": "t_local", "site_ids": ["s_local"]}}})
    with Sandbox(keys=keys, ready_delay=0, async_delay=0) as box, run_on_port(box) as url:
        yield url


# Loaded from the same data the sandbox serves (test_served_document_is_the_one_fuzzed checks
# that), because schemathesis's lazy `from_fixture` loader does not work with pytest 9.
schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict({"auth": {"openapi": {"ApiKeyAuth": {"api_key": KEY}}}}),
)


def test_served_document_is_the_one_fuzzed(sandbox_url: str) -> None:
    assert httpx.get(f"{sandbox_url}/openapi.json").json() == openapi_document()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_sandbox_keeps_its_openapi_contract(case: schemathesis.Case, sandbox_url: str) -> None:
    case.call_and_validate(base_url=sandbox_url)
