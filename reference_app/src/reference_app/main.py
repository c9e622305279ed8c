"""The application factory.

``create_app(settings)`` builds a complete, independent app: its own engine, settings and
health checks. Tests and lessons build as many as they like; servers call it once per worker
(``uvicorn --factory reference_app.main:create_app``).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis

from reference_app import __version__
from reference_app.api.docs import install_docs
from reference_app.auth.revocation import TOKEN_CHECKS
from reference_app.auth.verified_tokens import VerifiedTokens
from reference_app.caching.cache import Cache, CacheBackend, MemoryCacheBackend, RedisCacheBackend
from reference_app.changes import ChangeListener
from reference_app.core.config import API_PREFIX, Environment, Settings, get_settings
from reference_app.core.database import (
    create_engine,
    create_sessionmaker,
    ping_database,
    upgrade_database,
)
from reference_app.core.errors import install_error_handlers
from reference_app.events import create_broker
from reference_app.health.service import HealthCheck
from reference_app.jobs.embedded import EmbeddedWorker, start_in_process_worker
from reference_app.jobs.factory import create_celery_app
from reference_app.jobs.queue import JobQueue
from reference_app.observability.http_metrics import MetricsMiddleware
from reference_app.observability.logging import configure_logging
from reference_app.observability.metrics_endpoint import install_metrics
from reference_app.observability.tracing import configure_tracing
from reference_app.posts.cache import PUBLIC_LIST, invalidate_posts
from reference_app.rate_limiting.limiter import RateLimiter, RateLimitMiddleware, auth_limited_keys
from reference_app.routers import API_ROUTERS
from reference_app.shared_redis.circuit_breaker import CircuitBreaker
from reference_app.shared_redis.connection import create_redis, ping_redis
from reference_app.users.cache import invalidate_users
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


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (read from the environment when omitted)."""
    settings = settings or get_settings()
    configure_logging(settings)
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.should_auto_migrate:
            await upgrade_database(engine)
            logger.info("migrations_applied")
        worker: EmbeddedWorker | None = None
        if settings.should_run_worker_in_process:  # the embedded queue: see jobs/factory.py
            worker = await start_in_process_worker(job_queue.celery_app, change_listeners)
        app.state.started = True
        logger.info("started", environment=settings.environment.value)
        yield
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        job_queue.close()
        await event_broker.close()
        await engine.dispose()
        if redis is not None:
            await redis.aclose()

    app = FastAPI(
        title=settings.project_name,
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by install_docs with their own assets, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.started = False
    app.state.verified_tokens = VerifiedTokens(settings)
    redis = create_redis(settings)
    app.state.redis = redis
    # One breaker for every request-path use of Redis: when it fails for the cache, the rate
    # limiter stops waiting for it too (and the other way round).
    redis_breaker = CircuitBreaker(
        "redis",
        failure_threshold=settings.redis_breaker_failures,
        cooldown_seconds=settings.redis_breaker_cooldown_seconds,
    )
    app.state.redis_breaker = redis_breaker
    cache = _create_cache(settings, redis, redis_breaker)
    app.state.cache = cache
    rate_limiter = RateLimiter.from_settings(
        settings, redis, redis_breaker, auth_routes=auth_limited_keys(API_ROUTERS, API_PREFIX)
    )
    app.state.rate_limiter = rate_limiter

    health_checks: dict[str, HealthCheck] = {"database": partial(ping_database, engine)}
    if redis is not None:
        health_checks["cache"] = partial(ping_redis, redis)
        if rate_limiter.enabled:
            health_checks["rate_limit"] = rate_limiter.check_shared_storage
    app.state.health_checks = health_checks
    job_queue = JobQueue(create_celery_app(settings))
    app.state.jobs = job_queue
    change_listeners: list[ChangeListener] = [
        invalidate_users(cache),
        invalidate_posts(cache),
        job_queue.on_change(),  # a post published: notify its author
    ]
    app.state.change_listeners = change_listeners
    event_broker = create_broker(settings, redis)
    app.state.event_broker = event_broker
    # Last: a client reacting to an event must not then read a cache entry not yet invalidated.
    change_listeners.append(event_broker.publish)

    install_error_handlers(app)
    _add_middleware(app, settings)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_docs(app)
    install_metrics(app, settings, engine)
    # Off unless OTEL_* variables ask for it; then outermost, around every middleware.
    configure_tracing(app, engine, redis=redis)
    return app


def _create_cache(settings: Settings, redis: Redis | None, breaker: CircuitBreaker) -> Cache:
    """Redis when configured (shared by every instance), else this process's memory."""
    backend: CacheBackend
    if redis is None:
        backend = MemoryCacheBackend()
    else:
        backend = RedisCacheBackend(redis, prefix=f"{settings.redis_key_prefix}cache:")
    return Cache(
        backend,
        ttl_seconds={
            "user": settings.cache_user_ttl_seconds,
            "post": settings.cache_post_ttl_seconds,
            PUBLIC_LIST: settings.cache_post_list_ttl_seconds,
            TOKEN_CHECKS: settings.cache_token_check_ttl_seconds,
        },
        jitter=settings.cache_ttl_jitter,
        enabled=settings.cache_enabled,
        breaker=None if redis is None else breaker,
    )


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Added innermost first: the request id is set before anything logs."""
    # Innermost, so a 429 still gets CORS and security headers, a request id and a log line,
    # and CORS preflights are answered before they count against a limit.
    app.add_middleware(RateLimitMiddleware, limiter=app.state.rate_limiter)
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
