"""Fault injection: the sandbox fails the way real networks and services fail, repeatably.

Spec grammar (``--faults``), comma-separated ``key=value`` items, in any order::

    429=P 500=P 502=P 503=P 504=P   answer with that status and {"error": ...} (P in 0..1)
    timeout=P                       hang for `timeout_sleep` seconds (the client's read timeout
                                    fires first), then 504 if anyone is still waiting
    reset=P                         drop the connection without a response
    after=P                         share of 5xx/timeout/reset faults that strike *after* the
                                    request was handled (its writes committed); default 0.5
    latency=D | latency=D1-D2       add a fixed (or uniformly drawn) delay to every request;
                                    D like 20ms, 0.5s or 1 (seconds)
    retry_after=D                   add `Retry-After: <seconds>` to injected 429s (whole
                                    seconds, rounded up, as HTTP requires)
    async_fail=P                    share of async chat requests that end `failed`

The fault probabilities (429 … reset) are exclusive and must sum to at most 1. ``""`` or
``none`` means no faults. Every request except ``GET /api/v1/openapi.json`` draws, in arrival
order, from one ``random.Random(seed)``: an optional latency draw, then one draw choosing the
fault (if any rate is set), then for 5xx/timeout/reset one draw choosing before/after. The same
seed and the same request sequence therefore give the same faults. 429 always strikes before
the work (it is a refusal).

Scripted faults (:meth:`FaultInjector.script`) come first: "fail the next N requests matching X
with Y", for tests that need exact attempt counts. They consume no fault draws.
"""

from __future__ import annotations

import fnmatch
import random
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Literal

from pipeline.errors import UsageError

FaultKind = Literal["429", "500", "502", "503", "504", "timeout", "reset"]
When = Literal["before", "after"]

FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "502", "503", "504", "timeout", "reset")
# Kinds that can strike after the work: a server that committed and then failed to answer.
AFTER_CAPABLE: frozenset[str] = frozenset({"500", "502", "503", "504", "timeout", "reset"})

_GRAMMAR = (
    "use comma-separated key=value items, e.g. "
    "'429=0.1,503=0.05,timeout=0.02,reset=0.01,latency=20ms' "
    "(keys: 429 500 502 503 504 timeout reset after latency retry_after async_fail)"
)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


class SandboxConnectionReset(ConnectionResetError):
    """Raised by the app to drop the connection without a response (an injected `reset`).

    The host turns it into a real network failure: on a port the socket is aborted with a TCP
    reset; through :class:`pipeline.asgi_bridge.SyncASGITransport` it becomes ``httpx.ReadError``.
    With a bare ``httpx.ASGITransport`` it surfaces as this exception.
    """


@dataclass(frozen=True)
class FaultSpec:
    """A parsed ``--faults`` spec."""

    rates: tuple[tuple[FaultKind, float], ...] = ()
    after: float = 0.5
    latency: tuple[float, float] = (0.0, 0.0)
    retry_after: float | None = None
    async_fail: float = 0.0

    @property
    def total_rate(self) -> float:
        return sum(rate for _, rate in self.rates)

    @property
    def is_empty(self) -> bool:
        return (
            self.total_rate == 0
            and self.latency == (0.0, 0.0)
            and self.async_fail == 0
            and self.retry_after is None
        )

    def describe(self) -> str:
        """The spec in canonical form (what `parse_faults` reads back to an equal spec)."""
        items = [f"{kind}={rate:g}" for kind, rate in self.rates]
        if self.after != 0.5:
            items.append(f"after={self.after:g}")
        low, high = self.latency
        if high > 0:
            items.append(
                f"latency={_ms(low)}" if low == high else f"latency={_ms(low)}-{_ms(high)}"
            )
        if self.retry_after is not None:
            items.append(f"retry_after={self.retry_after:g}")
        if self.async_fail:
            items.append(f"async_fail={self.async_fail:g}")
        return ",".join(items) or "none"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:g}ms"


def parse_faults(spec: str | None) -> FaultSpec:
    """Parse a ``--faults`` spec; :class:`UsageError` naming the bad item otherwise."""
    text = (spec or "").strip()
    if text in ("", "none"):
        return FaultSpec()
    rates: dict[FaultKind, float] = {}
    after = 0.5
    latency = (0.0, 0.0)
    retry_after: float | None = None
    async_fail = 0.0
    seen: set[str] = set()
    for raw in text.split(","):
        item = raw.strip()
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise UsageError(f"--faults: {item!r} is not key=value", hint=_GRAMMAR)
        if key in seen:
            raise UsageError(f"--faults: {key!r} is given twice", hint=_GRAMMAR)
        seen.add(key)
        if key in FAULT_KINDS:
            rates[_kind(key)] = _probability(key, value)
        elif key == "after":
            after = _probability(key, value)
        elif key == "async_fail":
            async_fail = _probability(key, value)
        elif key == "latency":
            low_text, dash, high_text = value.partition("-")
            low = _duration(key, low_text)
            high = _duration(key, high_text) if dash else low
            if high < low:
                raise UsageError(f"--faults: latency range {value!r} runs backwards", hint=_GRAMMAR)
            latency = (low, high)
        elif key == "retry_after":
            retry_after = _duration(key, value)
        else:
            raise UsageError(f"--faults: unknown key {key!r}", hint=_GRAMMAR)
    ordered = tuple((kind, rates[kind]) for kind in FAULT_KINDS if rates.get(kind))
    result = FaultSpec(ordered, after, latency, retry_after, async_fail)
    if result.total_rate > 1.0 + 1e-9:
        raise UsageError(
            f"--faults: the fault rates add up to {result.total_rate:g}, more than 1",
            hint=_GRAMMAR,
        )
    return result


def _kind(key: str) -> FaultKind:
    for kind in FAULT_KINDS:
        if kind == key:
            return kind
    raise UsageError(f"--faults: unknown fault {key!r}", hint=_GRAMMAR)


def _probability(key: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise UsageError(f"--faults: {key}={value} needs a probability from 0 to 1", hint=_GRAMMAR)
    return number


def _duration(key: str, value: str) -> float:
    match = _DURATION.match(value.strip())
    if not match:
        raise UsageError(
            f"--faults: {key}={value} needs a duration like 20ms, 0.5s or 2", hint=_GRAMMAR
        )
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


@dataclass(frozen=True)
class Fault:
    """One fault to inject into one request."""

    kind: FaultKind
    when: When = "before"
    scripted: bool = False
    retry_after: float | None = None


@dataclass(frozen=True)
class Decision:
    """What the edge does to one request: an optional fault and a delay (seconds)."""

    fault: Fault | None
    latency: float = 0.0


class ScriptedFault:
    """ "Fail the next `times` requests matching this with `kind`": see `FaultInjector.script`."""

    def __init__(
        self,
        kind: FaultKind,
        times: int,
        when: When,
        operation: str | None,
        method: str | None,
        path: str | None,
        retry_after: float | None = None,
    ) -> None:
        self.kind: FaultKind = kind
        self.retry_after = retry_after
        self.remaining = times
        self.when: When = when
        self.operation = operation
        self.method = method.upper() if method else None
        self.path = path
        self.fired = 0

    def matches(self, method: str, path: str, operation: str | None) -> bool:
        if self.remaining <= 0:
            return False
        if self.operation is not None and self.operation != operation:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    def __repr__(self) -> str:
        return (
            f"ScriptedFault({self.kind!r}, remaining={self.remaining}, when={self.when!r}, "
            f"operation={self.operation!r}, method={self.method!r}, path={self.path!r})"
        )


class FaultInjector:
    """Decides, request by request, which fault to inject; thread-safe, changeable at runtime."""

    def __init__(self, spec: FaultSpec | str | None = None, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._scripts: list[ScriptedFault] = []
        self.seed = seed if seed is not None else secrets.randbelow(2**31)
        self.spec = FaultSpec()
        self._rng = random.Random(self.seed)
        self.set(spec)

    def set(self, spec: FaultSpec | str | None, seed: int | None = None) -> None:
        """Replace the random faults and restart the random sequence.

        `seed` None keeps the current seed, so setting a spec again replays the same sequence.
        (Without a seed at construction the injector picks a random one, readable as `.seed`.)
        """
        parsed = spec if isinstance(spec, FaultSpec) else parse_faults(spec)
        with self._lock:
            if seed is not None:
                self.seed = seed
            self.spec = parsed
            self._rng = random.Random(self.seed)

    def script(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        when: When = "before",
        operation: str | None = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> ScriptedFault:
        """Fail the next `times` requests matching all given filters with `kind`.

        `operation` is an operationId of the OpenAPI document (e.g. ``createTextDocument``);
        `path` is a glob on the request path (e.g. ``/api/v1/m2m/sites/*/documents/text``).
        `when="after"` lets the request be handled (and committed) before the fault strikes.
        `retry_after` (429 only) sends that Retry-After instead of the spec's.
        Scripts are consulted in the order they were added; the returned handle shows
        ``.remaining`` and ``.fired``.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if when == "after" and kind not in AFTER_CAPABLE:
            raise ValueError(f"a {kind} fault is a refusal; it cannot strike after the work")
        if times < 1:
            raise ValueError("times must be at least 1")
        if retry_after is not None and kind != "429":
            raise ValueError("retry_after goes with 429 faults only")
        scripted = ScriptedFault(kind, times, when, operation, method, path, retry_after)
        with self._lock:
            self._scripts.append(scripted)
        return scripted

    def clear_scripts(self) -> None:
        with self._lock:
            self._scripts.clear()

    def decide(self, method: str, path: str, operation: str | None) -> Decision:
        """The fault (or none) for the next request; consumes random draws in a fixed order."""
        with self._lock:
            spec = self.spec
            low, high = spec.latency
            latency = low if low == high else self._rng.uniform(low, high)
            for scripted in self._scripts:
                if scripted.matches(method, path, operation):
                    scripted.remaining -= 1
                    scripted.fired += 1
                    self._scripts = [s for s in self._scripts if s.remaining > 0]
                    fault = Fault(scripted.kind, scripted.when, True, scripted.retry_after)
                    return Decision(fault, latency)
            if spec.total_rate <= 0:
                return Decision(None, latency)
            draw = self._rng.random()
            cumulative = 0.0
            for kind, rate in spec.rates:
                cumulative += rate
                if draw < cumulative:
                    when: When = "before"
                    if kind in AFTER_CAPABLE and self._rng.random() < spec.after:
                        when = "after"
                    return Decision(Fault(kind, when), latency)
            return Decision(None, latency)

    def async_fails(self) -> bool:
        """Whether the async chat request being submitted will end `failed`."""
        with self._lock:
            if self.spec.async_fail <= 0:
                return False
            return self._rng.random() < self.spec.async_fail

    @property
    def retry_after(self) -> float | None:
        return self.spec.retry_after
