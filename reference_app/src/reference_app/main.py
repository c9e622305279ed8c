"""The application factory.

``create_app(settings)`` builds a complete, independent app: its own engine, settings and
health checks. Tests and lessons build as many as they like; servers call it once per worker
(``uvicorn --factory reference_app.main:create_app``).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from reference_app import __version__
from reference_app.api.docs import install_docs
from reference_app.core.config import API_PREFIX, Environment, Settings, get_settings
from reference_app.core.database import (
    upgrade_database,
)
from reference_app.core.errors import install_error_handlers
from reference_app.garbage_collection import freeze_startup_objects, unfreeze_objects
from reference_app.observability.http_metrics import MetricsMiddleware
from reference_app.observability.logging import configure_logging
from reference_app.observability.metrics_endpoint import install_metrics
from reference_app.observability.tracing import configure_tracing
from reference_app.rate_limiting.limiter import RateLimitMiddleware
from reference_app.routers import API_ROUTERS
from reference_app.services import Services, build_services, close_services, start_services
from reference_app.task_queue.embedded import EmbeddedWorker, start_in_process_worker
from reference_app.web.middleware import AccessLogMiddleware, SecurityHeadersMiddleware
from reference_app.web.request_limits import RequestSizeLimitMiddleware

logger = structlog.get_logger(__name__)

DESCRIPTION = """
The finished application of the **FastAPI Production Workbook**.

Sign up or log in under *auth*, then press **Authorize** (email as username) to call the
protected endpoints. Every error has the same shape: `{"error": {"code", "message", "details",
"request_id"}}`.
"""

OPENAPI_TAGS = [
    {"name": "auth", "description": "Sign up, log in, rotate refresh tokens, log out."},
    {"name": "users", "description": "Profiles."},
    {"name": "posts", "description": "Public posts and private drafts."},
    {"name": "todos", "description": "Your own todo list."},
    {"name": "health", "description": "Probes for load balancers and orchestrators."},
    {"name": "events", "description": "Live changes to posts and todos (Server-Sent Events)."},
    {"name": "jobs", "description": "Background jobs: status, results, dead letters."},
]


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the application for ``settings`` (read from the environment when omitted).

    ``services`` plugs in services built beforehand (``build_services(settings)``, then changed:
    see ``reference_app/services.py``); they carry their own settings.
    """
    if services is None:
        settings = settings or get_settings()
        configure_logging(settings)
        services = build_services(settings)
    elif settings is not None and settings is not services.settings:
        raise ValueError("pass settings or services, not both: services carry their settings")
    else:
        settings = services.settings
        configure_logging(settings)
    app_services = services  # a name the lifespan can close over, typed without None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.should_auto_migrate:
            await upgrade_database(app_services.engine)
            logger.info("migrations_applied")
        worker: EmbeddedWorker | None = None
        if settings.should_run_worker_in_process:  # the embedded queue: see task_queue/factory.py
            worker = await start_in_process_worker(
                app_services.jobs.celery_app, app_services.all_change_listeners()
            )
        await start_services(app_services)
        if settings.should_freeze_startup_objects:  # see garbage_collection.py
            freeze_startup_objects()
        app_services.started = True
        logger.info("started", environment=settings.environment.value)
        yield
        if settings.should_freeze_startup_objects:
            unfreeze_objects()
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        await close_services(app_services)

    app = FastAPI(
        title=settings.project_name,
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by install_docs with their own assets, not from a CDN
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    _add_middleware(app, services)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_docs(app)
    install_metrics(app, settings, services.engine)
    # Off unless OTEL_* variables ask for it; then outermost, around every middleware.
    configure_tracing(
        app, services.engine, redis=services.redis, environment=settings.environment.value
    )
    return app


def _add_middleware(app: FastAPI, services: Services) -> None:
    """Added innermost first: the request id is set before anything logs."""
    settings = services.settings
    # Innermost, so a 429 still gets CORS and security headers, a request id and a log line,
    # and CORS preflights are answered before they count against a limit.
    app.add_middleware(RateLimitMiddleware, limiter=services.rate_limiter)
    # Next: a body too large is refused before anything reads it, and its 413 still gets CORS
    # and security headers, a request id and a log line.
    app.add_middleware(
        RequestSizeLimitMiddleware,
        max_body_bytes=settings.max_request_body_bytes,
        max_header_bytes=settings.max_request_header_bytes,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        SecurityHeadersMiddleware, hsts=settings.environment is Environment.PRODUCTION
    )
    if settings.metrics_enabled:
        # Outside the rate limiter, so 429s are counted too.
        app.add_middleware(MetricsMiddleware)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
