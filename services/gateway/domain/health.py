"""Aggregating per-service health into one answer."""

from __future__ import annotations

from dataclasses import dataclass

SERVING = "SERVING"
NOT_SERVING = "NOT_SERVING"


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    status: str  # SERVING, NOT_SERVING, UNKNOWN, UNREACHABLE
    latency_ms: float


def overall(statuses: list[ServiceStatus]) -> str:
    return SERVING if statuses and all(s.status == SERVING for s in statuses) else NOT_SERVING


def parse_targets(spec: str) -> dict[str, str]:
    """'auth=127.0.0.1:50051,storage=storage:50052' -> {'auth': '127.0.0.1:50051', ...}."""
    targets: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, target = item.partition("=")
        if not sep or not name or not target:
            raise ValueError(f"bad target {item!r}: expected name=host:port")
        targets[name.strip()] = target.strip()
    return targets
