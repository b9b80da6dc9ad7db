"""What `kbsync probe` found: each endpoint's shape and each value kbsync relies on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.ops.probe_assumed import ASSUMED
from pipeline.ops.shapes import Shape, ShapeDifference

SAME, DIFFERS, ERROR, SKIPPED, INFO = "same", "differs", "error", "skipped", "info"


@dataclass
class EndpointProbe:
    """One endpoint's answers: their shape and how it differs from the assumed one."""

    endpoint: str
    outcome: str
    """`same`, `differs`, `error` or `skipped`."""
    observed: Shape = None
    differences: list[ShapeDifference] = field(default_factory=list)
    detail: str = ""


@dataclass
class Check:
    """One value kbsync relies on, as the service showed it.

    `outcome`: `same` (as kbsync assumes), `differs` (kbsync would read or send it wrong),
    `info` (recorded, nothing depends on it), `error` (could not be checked), `skipped`.
    `setting` is what absorbs a difference: a line of kbsync.toml, or why none can.
    """

    name: str
    outcome: str
    detail: str
    setting: str | None = None


@dataclass
class ProbeReport:
    environment: str
    site: str
    endpoints: dict[str, EndpointProbe] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    canaries: list[str] = field(default_factory=list)
    """Titles of the canary documents created."""
    canaries_left: list[str] = field(default_factory=list)
    """Ids (or titles) of canaries that could not be deleted: delete them by hand."""

    def endpoint(self, probe: EndpointProbe) -> None:
        self.endpoints[probe.endpoint] = probe

    def check(self, name: str, outcome: str, detail: str, setting: str | None = None) -> Check:
        item = Check(name, outcome, detail, setting)
        self.checks.append(item)
        return item

    @property
    def ordered_endpoints(self) -> list[EndpointProbe]:
        """In the order of :data:`ASSUMED` (the report's order, whatever ran first)."""
        return [self.endpoints[name] for name in ASSUMED if name in self.endpoints]

    @property
    def differences(self) -> int:
        shapes = sum(len(item.differences) for item in self.endpoints.values())
        return shapes + sum(1 for item in self.checks if item.outcome == DIFFERS)

    @property
    def errors(self) -> int:
        failed = sum(1 for item in self.endpoints.values() if item.outcome == ERROR)
        return failed + sum(1 for item in self.checks if item.outcome == ERROR)

    @property
    def ok(self) -> bool:
        return self.differences == 0 and self.errors == 0 and not self.canaries_left

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "site": self.site,
            "ok": self.ok,
            "differences": self.differences,
            "canaries": self.canaries,
            "canaries_left": self.canaries_left,
            "endpoints": [
                {
                    "endpoint": item.endpoint,
                    "outcome": item.outcome,
                    "detail": item.detail,
                    "assumed": ASSUMED.get(item.endpoint),
                    "observed": item.observed,
                    "differences": [difference.__dict__ for difference in item.differences],
                }
                for item in self.ordered_endpoints
            ],
            "checks": [item.__dict__ for item in self.checks],
        }
