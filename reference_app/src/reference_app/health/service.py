"""Component checks behind the health probes.

Each component the app depends on registers an async check (see ``create_app``); a check passes
by returning and fails by raising or by not answering within the timeout.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from pydantic import BaseModel

HealthCheck = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_SECONDS = 2.0


class ComponentStatus(StrEnum):
    UP = "up"
    DOWN = "down"


class OverallStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"


class ComponentHealth(BaseModel):
    status: ComponentStatus
    latency_ms: float
    error: str | None = None


class HealthReport(BaseModel):
    status: OverallStatus
    version: str
    environment: str
    components: dict[str, ComponentHealth]


async def check_component(check: HealthCheck) -> ComponentHealth:
    started = time.perf_counter()
    error: str | None = None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check()
    except Exception as exc:  # any failure at all means "down"; its type is reported
        error = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    status = ComponentStatus.UP if error is None else ComponentStatus.DOWN
    return ComponentHealth(status=status, latency_ms=latency_ms, error=error)


async def check_all(checks: Mapping[str, HealthCheck]) -> dict[str, ComponentHealth]:
    """Run every check concurrently, so one slow component does not delay the others."""
    results = await asyncio.gather(*(check_component(check) for check in checks.values()))
    return dict(zip(checks, results, strict=True))


def overall_status(components: Mapping[str, ComponentHealth]) -> OverallStatus:
    if all(component.status is ComponentStatus.UP for component in components.values()):
        return OverallStatus.HEALTHY
    return OverallStatus.DEGRADED
