"""Everything one app holds — its connections, caches, queues and reactions — in one typed record.

``create_app`` builds a :class:`Services` with :func:`build_services` and keeps it on the app
(``app.state.services``). This is the one place to plug something else in, for a test, a lab or
a team's own deployment: build the services, replace what you need, hand them to the factory::

    services = build_services(settings)
    services.change_listeners["audit"] = write_audit_log   # one more reaction to changes
    app = create_app(services=services)

Replace a service before ``create_app``: the app is wired from the record it is given, and a
listener built on a service (``invalidate_posts(cache)``) keeps the service it was built on.
Read them back with :func:`services_of` (``services_of(app).cache``).

Why the features do not import this module: it is built *from* the features (their broker,
queue, listeners), so a feature importing it would make a cycle. A feature's dependency reads
its own entry (``request.app.state.services.jobs``) and names the type it expects.
"""

from dataclasses import dataclass, field
from functools import partial

from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reference_app.auth.revocation import TOKEN_CHECKS, AccessTokenDenylist
from reference_app.auth.verified_tokens import VerifiedTokens
from reference_app.caching.cache import Cache, CacheBackend, MemoryCacheBackend, RedisCacheBackend
from reference_app.caching.near_cache import NearCacheBackend
from reference_app.changes import ChangeListener, ChangeNotifier
from reference_app.core.config import API_PREFIX, Settings
from reference_app.core.database import create_engine, create_sessionmaker, ping_database
from reference_app.events import create_broker
from reference_app.events.broker import EventBroker
from reference_app.health.service import HealthCheck
from reference_app.jobs.registry import create_jobs_app
from reference_app.posts.cache import PUBLIC_LIST, invalidate_posts
from reference_app.posts.tasks import notify_author_when_published
from reference_app.rate_limiting.limiter import RateLimiter, auth_limited_keys
from reference_app.routers import API_ROUTERS
from reference_app.shared_redis.circuit_breaker import CircuitBreaker
from reference_app.shared_redis.connection import REDIS_TIMEOUTS, create_redis, ping_redis
from reference_app.task_queue.queue import JobQueue
from reference_app.users.cache import invalidate_users


@dataclass(kw_only=True)
class Services:
    """What one app holds. Two apps never share one: each has its own engine, keys and queues."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis | None
    """``None`` without ``APP_REDIS_URL``: the cache, limits and events stay in this process."""
    redis_breaker: CircuitBreaker
    """One breaker for every request-path use of Redis: when Redis fails for the cache, the
    rate limiter stops waiting for it too (and the other way round)."""
    cache: Cache
    rate_limiter: RateLimiter
    verified_tokens: VerifiedTokens
    access_denylist: AccessTokenDenylist
    jobs: JobQueue
    event_broker: EventBroker
    change_listeners: dict[str, ChangeListener]
    """Reactions to a committed change, by name, called in order; the live event stream is
    told last (see :meth:`notifier`)."""
    health_checks: dict[str, HealthCheck]
    started: bool = field(default=False)
    """Set once the app's start-up (migrations, the in-process worker) has finished."""

    def all_change_listeners(self) -> list[ChangeListener]:
        """Every reaction to a committed change, in order, and the live event stream last:
        a client reacting to an event must not then read a cache entry not yet invalidated."""
        return [*self.change_listeners.values(), self.event_broker.publish]

    def notifier(self) -> ChangeNotifier:
        """What a service calls after its commit (``NotifierDep``)."""
        return ChangeNotifier(self.all_change_listeners())


def build_services(settings: Settings) -> Services:
    """The services ``settings`` describe: Redis-backed when ``redis_url`` is set, else in
    this process."""
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    redis = create_redis(settings)
    breaker = CircuitBreaker(
        "redis",
        failure_threshold=settings.redis_breaker_failures,
        cooldown_seconds=settings.redis_breaker_cooldown_seconds,
        open_at_once_on=REDIS_TIMEOUTS,
    )
    cache = create_cache(settings, redis, breaker)
    rate_limiter = RateLimiter.from_settings(
        settings, redis, breaker, auth_routes=auth_limited_keys(API_ROUTERS, API_PREFIX)
    )
    jobs = JobQueue(create_jobs_app(settings))
    health_checks: dict[str, HealthCheck] = {"database": partial(ping_database, engine)}
    if redis is not None:
        health_checks["cache"] = partial(ping_redis, redis)
        if rate_limiter.enabled:
            health_checks["rate_limit"] = rate_limiter.check_shared_storage
    return Services(
        settings=settings,
        engine=engine,
        sessionmaker=sessions,
        redis=redis,
        redis_breaker=breaker,
        cache=cache,
        rate_limiter=rate_limiter,
        verified_tokens=VerifiedTokens(settings),
        access_denylist=AccessTokenDenylist(sessions, cache),
        jobs=jobs,
        event_broker=create_broker(settings, redis),
        change_listeners={
            "users_cache": invalidate_users(cache),
            "posts_cache": invalidate_posts(cache),
            "post_notifications": notify_author_when_published(jobs),
        },
        health_checks=health_checks,
    )


def create_cache(settings: Settings, redis: Redis | None, breaker: CircuitBreaker) -> Cache:
    """Redis when configured (shared by every instance), with a near cache in front of it
    unless ``APP_CACHE_NEAR_TTL_SECONDS`` is 0; else this process's memory."""
    backend: CacheBackend
    if redis is None:
        backend = MemoryCacheBackend()
    else:
        backend = RedisCacheBackend(redis, prefix=f"{settings.redis_key_prefix}cache:")
        if settings.cache_near_ttl_seconds > 0:
            backend = NearCacheBackend(
                backend,
                redis,
                channel=f"{settings.redis_key_prefix}cache:invalidations",
                ttl_seconds=settings.cache_near_ttl_seconds,
                max_entries=settings.cache_near_max_entries,
            )
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


async def start_services(services: Services) -> None:
    """Start what runs in the background: at the start of the app's lifespan."""
    if isinstance(services.cache.backend, NearCacheBackend):
        await services.cache.backend.start()  # listens for other instances' invalidations


async def close_services(services: Services) -> None:
    """Close what :func:`build_services` opened: at the end of the app's lifespan."""
    if isinstance(services.cache.backend, NearCacheBackend):
        await services.cache.backend.close()
    services.jobs.close()
    await services.event_broker.close()
    await services.engine.dispose()
    if services.redis is not None:
        await services.redis.aclose()


def services_of(app: FastAPI) -> Services:
    """The services ``create_app`` gave ``app``: ``services_of(app).cache``."""
    services: Services = app.state.services
    return services
