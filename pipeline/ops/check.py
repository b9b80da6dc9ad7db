"""`kbsync check`: the quick connectivity test for incidents and after a key rotation.

One fact per line, each `ok` or `FAIL`: the key is present, the tenant's limits answer (Uppzy's
recommended check: key valid, key of this tenant, API reachable), every configured site answers
and belongs to the tenant, the document quota, and the latency seen. A failing fact names what
is wrong (the key, the plan, the tenant, a site, the network), never the key itself.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from pipeline.api import (
    ApiError,
    AuthError,
    ForbiddenError,
    NotFoundError,
    PlanError,
    TransportError,
    UppzyClient,
)
from pipeline.config import EnvironmentConfig

T = TypeVar("T")
Status = Literal["ok", "FAIL", "skip"]
QUOTA_WARN_RATIO = 0.9


@dataclass(frozen=True)
class Fact:
    """One checked fact: its status, what it is about, and what was found."""

    status: Status
    subject: str
    detail: str

    @property
    def line(self) -> str:
        return f"{self.status:<4}  {self.subject}: {self.detail}"


@dataclass
class CheckReport:
    environment: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(fact.status != "FAIL" for fact in self.facts)

    @property
    def first_failure(self) -> Fact | None:
        return next((fact for fact in self.facts if fact.status == "FAIL"), None)

    def to_json(self) -> dict[str, object]:
        return {
            "environment": self.environment,
            "ok": self.ok,
            "facts": [fact.__dict__ for fact in self.facts],
        }


def key_fact(env: EnvironmentConfig) -> Fact:
    """Whether the key variable is set (by name; the in-process sandbox needs none)."""
    if env.is_sandbox and not env.api_key_env:
        return Fact("ok", "key", "not needed (the in-process sandbox)")
    if not env.api_key_env:
        return Fact("FAIL", "key", f"environment {env.name!r} names no api_key_env")
    if env.api_key() is None:
        if env.is_sandbox:
            return Fact("ok", "key", f"{env.api_key_env} is not set (not needed by the sandbox)")
        return Fact("FAIL", "key", f"{env.api_key_env} is not set")
    return Fact("ok", "key", f"{env.api_key_env} is set")


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def explain(exc: ApiError, env: EnvironmentConfig, site: str | None = None) -> str:
    """What a failed tenant or site call means, named as the fact that failed."""
    if isinstance(exc, AuthError):
        return exc.message
    if isinstance(exc, PlanError):
        return f"plan problem: {exc.message}"
    where = f"site {site!r}" if site else f"tenant {env.tenant_id!r}"
    if isinstance(exc, ForbiddenError):
        if site:
            return f"wrong site: the key may not use {where} (not in tenant {env.tenant_id!r} or the key's scope): {exc.message}"
        return f"wrong tenant: the key may not use {where}: {exc.message}"
    if isinstance(exc, NotFoundError):
        return f"{where} not found (wrong id?): {exc.message}"
    if isinstance(exc, TransportError):
        return f"API unreachable: {exc.message}"
    return exc.message


def run_check(client: UppzyClient, env: EnvironmentConfig) -> CheckReport:
    """Check `env` through `client`; the key fact first (the caller decides if it can connect)."""
    report = CheckReport(env.name, [key_fact(env)])
    try:
        limits, limits_ms = _timed(client.limits)
    except ApiError as exc:
        report.facts.append(Fact("FAIL", "tenant", explain(exc, env)))
        return report
    report.facts.append(
        Fact("ok", "tenant", f"{env.tenant_id}: limits answered (key valid, key of this tenant)")
    )
    latencies = {"limits": limits_ms}
    try:
        tenant, latencies["tenant"] = _timed(client.tenant)
        plan = f", plan {tenant.plan}" if tenant.plan else ""
        tenant_id = tenant.id or env.tenant_id
        name = f" ({tenant.name})" if tenant.name and tenant.name != tenant_id else ""
        report.facts.append(Fact("ok", "tenant info", f"{tenant_id}{name}{plan}"))
    except ApiError as exc:
        report.facts.append(Fact("FAIL", "tenant info", explain(exc, env)))
    for site_id in sorted(env.sites):
        try:
            site, latencies[f"site {site_id}"] = _timed(functools.partial(client.site, site_id))
        except ApiError as exc:
            report.facts.append(Fact("FAIL", f"site {site_id}", explain(exc, env, site_id)))
            continue
        if site.tenant_id and site.tenant_id != env.tenant_id:
            report.facts.append(
                Fact(
                    "FAIL",
                    f"site {site_id}",
                    f"wrong tenant: it belongs to {site.tenant_id!r}, not {env.tenant_id!r}",
                )
            )
            continue
        label = f" ({site.name})" if site.name else ""
        report.facts.append(
            Fact("ok", f"site {site_id}", f"answers{label}, tenant {env.tenant_id}")
        )
    report.facts.append(quota_fact(limits.documents.used, limits.documents.limit))
    slowest = max(latencies, key=lambda name: latencies[name])
    report.facts.append(
        Fact(
            "ok",
            "latency",
            f"limits {latencies['limits']:.0f} ms, slowest {slowest} {latencies[slowest]:.0f} ms",
        )
    )
    return report


def quota_fact(used: int | None, limit: int | None) -> Fact:
    """Documents used against the tenant's document quota (full is a failure)."""
    if used is None:
        return Fact("ok", "documents", "usage not reported")
    if limit is None:
        return Fact("ok", "documents", f"{used} used (no limit reported)")
    share = used / limit if limit else 1.0
    text = f"{used} of {limit} used ({share:.0%})"
    if used >= limit:
        return Fact("FAIL", "documents", f"{text}: the quota is full, creates will be refused")
    if share >= QUOTA_WARN_RATIO:
        return Fact("ok", "documents", f"{text}: nearly full")
    return Fact("ok", "documents", text)
