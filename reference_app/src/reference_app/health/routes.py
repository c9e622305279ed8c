"""Health probes.

- ``/health``: a report for people and dashboards, ``healthy`` or ``degraded`` per component.
- ``/health/live``: the process answers (liveness: restart me if this fails).
- ``/health/ready``: the database answers (readiness: send me traffic); 503 otherwise.
- ``/health/startup``: start-up work (migrations) is finished.
"""

from typing import Any

from fastapi import APIRouter, Request

from reference_app import __version__
from reference_app.api.deps import SettingsDep
from reference_app.core.errors import ErrorCode, ErrorResponse, error_response
from reference_app.health.service import (
    ComponentStatus,
    HealthCheck,
    HealthReport,
    check_all,
    check_component,
    overall_status,
)

router = APIRouter(prefix="/health", tags=["health"])

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorResponse, "description": "Not ready"}
}


@router.get("", response_model=HealthReport, summary="Health of every component")
async def health(request: Request, settings: SettingsDep) -> HealthReport:
    checks: dict[str, HealthCheck] = request.app.state.services.health_checks
    components = await check_all(checks)
    return HealthReport(
        status=overall_status(components),
        version=__version__,
        environment=settings.environment.value,
        components=components,
    )


@router.get("/live", summary="Liveness probe")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/ready", summary="Readiness probe", responses=_UNAVAILABLE)
async def ready(request: Request) -> Any:
    database = await check_component(request.app.state.services.health_checks["database"])
    if database.status is ComponentStatus.DOWN:
        return error_response(
            503,
            ErrorCode.NOT_READY,
            "The database is unreachable",
            details={"database": database.model_dump()},
        )
    return {"status": "ready"}


@router.get("/startup", summary="Startup probe", responses=_UNAVAILABLE)
async def startup(request: Request) -> Any:
    if not request.app.state.services.started:
        return error_response(503, ErrorCode.NOT_STARTED, "Start-up has not finished")
    return {"status": "started"}
