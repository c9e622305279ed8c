"""Rate limiting: at most N requests per time window from one client.

What is limited, and by what:

- **Every API request**, per client IP (see :mod:`reference_app.rate_limiting.client_ip`):
  ``APP_RATE_LIMIT_DEFAULT`` (100/minute). :class:`RateLimitMiddleware` counts requests before
  routing, so it is cheap and also counts 404s (scanners probing for ``/wp-admin``). Probes,
  docs and metrics are exempt: a load balancer must never be throttled into marking us down.
- **One endpoint**, per client IP, when ``APP_RATE_LIMIT_OVERRIDES`` names it as
  ``"METHOD /route-template"`` (``"POST /api/v1/posts"``, ``"GET /api/v1/posts/{post_id}"``).
  The endpoint then has its own count *instead of* the default one. Login and signup get
  ``APP_RATE_LIMIT_AUTH_PER_IP`` this way (an explicit override wins). See
  :class:`EndpointLimit` for how a template is matched.
- **Login, per account**: ``APP_RATE_LIMIT_AUTH_PER_ACCOUNT``, keyed by the lower-cased email.
  Per-IP limits alone do not stop a botnet guessing one account's password from many
  addresses. The email is in the body, which middleware should not read (the route needs it
  too), so this limit is a dependency of the login route that receives the parsed credentials:
  :func:`limit_login_per_account`. The price: anyone can keep one account's logins throttled
  for a minute; nobody can guess its password quickly.
- **Writing posts, per author**: ``APP_RATE_LIMIT_POSTS_PER_AUTHOR``, keyed by the author's id,
  so one account cannot flood the site from many addresses, and one noisy colleague does not
  use up the office proxy's count. The author is known once the token is checked, so this is a
  dependency of ``POST /api/v1/posts`` too (``posts/limits.py``).

The strategy is the *moving window* of the ``limits`` library: a request counts for exactly one
window after it was made. A fixed window (counts reset at each minute boundary) would let a
client send 2N requests in a few seconds around the boundary.

Counts live in Redis when ``APP_REDIS_URL`` is set, so every app instance shares one count;
otherwise in process memory (each process counts on its own: fine for development and tests).

**Fallback, not fail-open**: if Redis errors or stalls, requests are counted in this process
instead (each instance then enforces the limits on its own, so a client may get N per instance),
and ``/health`` reports ``rate_limit`` down until Redis answers again. Requests stay available,
and password guessing stays limited during an outage: failing open would have made it
unlimited. A circuit breaker (:mod:`reference_app.shared_redis.circuit_breaker`) shared with
the cache stops asking a Redis that keeps failing, so a frozen Redis costs no request its
timeout.

Responses carry the ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``
headers (IETF draft names); a 429 also carries ``Retry-After`` and the usual error body with
code ``RATE_LIMITED``.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIRouter
from limits import RateLimitItem, parse
from redis.asyncio import Redis
from starlette.datastructures import MutableHeaders
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_app.core.config import API_PREFIX, Settings
from reference_app.core.errors import AppError, ErrorCode, error_response
from reference_app.rate_limiting.client_ip import IPNetwork, client_ip, parse_trusted_proxies
from reference_app.rate_limiting.window_counters import (
    MemoryWindowCounter,
    RedisWindowCounter,
    WindowCount,
    WindowCounter,
)
from reference_app.shared_redis.circuit_breaker import CircuitBreaker
from reference_app.web.middleware import route_path

logger = structlog.get_logger(__name__)

AUTH_LIMITED: dict[str, Any] = {"x-rate-limit": "auth"}
"""The ``openapi_extra`` of an endpoint that checks a password or a token someone could try to
guess: it is limited per IP by ``APP_RATE_LIMIT_AUTH_PER_IP`` (unless an override names it).

The route declares it, so the limit follows the route wherever it is mounted: a list of paths
kept here would silently stop throttling login the day the auth prefix changed. It also shows
in the OpenAPI document, so API clients can see which calls are throttled harder."""

EXEMPT_PATHS = (f"{API_PREFIX}/health", "/docs", "/redoc", "/openapi.json", "/metrics")
"""Never limited: these paths and everything below them."""

DEFAULT_BUCKET = "default"
LOGIN_ACCOUNT_BUCKET = "login-account"
MESSAGE = "Too many requests; retry after the number of seconds in Retry-After"


@dataclass(frozen=True)
class RateLimitStatus:
    """The outcome of counting one request against one limit."""

    limit: RateLimitItem
    allowed: bool
    remaining: int
    reset_after: int
    """Seconds until the oldest counted request leaves the window (and frees a slot)."""

    @classmethod
    def of(cls, limit: RateLimitItem, count: WindowCount) -> "RateLimitStatus":
        return cls(limit, count.allowed, count.remaining, count.reset_after)

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit.amount),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_after)
        return headers

    def error_details(self) -> dict[str, Any]:
        return {"limit": str(self.limit), "retry_after": self.reset_after}


@dataclass(frozen=True)
class EndpointLimit:
    """The limit of one endpoint, from a ``"METHOD /route-template"`` key.

    The template is compiled with Starlette's own ``compile_path``, the function its router
    uses, so ``{post_id}`` matches one path segment exactly as routing does and one limit covers
    ``/api/v1/posts/1`` and ``/api/v1/posts/2``. Matching happens before routing, without
    asking the router: a template matches every path of its shape, so when two templates match
    one path (``/users/me`` and ``/users/{user_id}``) the first one listed wins.
    """

    key: str
    method: str
    path_regex: re.Pattern[str]
    limit: RateLimitItem

    @classmethod
    def parse(cls, key: str, limit: str) -> "EndpointLimit":
        method, _, template = key.strip().partition(" ")
        template = template.strip()
        if not method or not template.startswith("/"):
            raise ValueError(f"Rate limit key {key!r} must look like 'POST /api/v1/posts'")
        path_regex, _, _ = compile_path(template)
        return cls(f"{method.upper()} {template}", method.upper(), path_regex, parse(limit))

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and self.path_regex.match(path) is not None


class RateLimitFallbackError(Exception):
    """Reported by ``/health`` while the limiter counts in process (see :class:`RateLimiter`)."""


class RateLimitedError(AppError):
    """Raised by route dependencies when a limit is reached: a 429 in the usual error shape."""

    status_code = 429
    code = ErrorCode.RATE_LIMITED
    message = MESSAGE

    def __init__(self, status: RateLimitStatus) -> None:
        super().__init__(details=status.error_details(), headers=status.headers())


def create_counter(settings: Settings, redis: Redis | None) -> WindowCounter:
    """Redis when configured (shared by every instance), else this process's memory.

    ``redis`` is the app's client (:func:`reference_app.shared_redis.connection.create_redis`),
    so the limiter uses its short timeouts (a stalled Redis delays a request by about a second
    before the limiter counts in process instead, until the circuit breaker opens). Keys start
    with ``APP_REDIS_KEY_PREFIX`` followed by ``ratelimit:``.
    """
    if redis is None or settings.redis_url is None or not settings.rate_limit_enabled:
        return MemoryWindowCounter()
    return RedisWindowCounter(redis, key_prefix=f"{settings.redis_key_prefix}ratelimit:")


class RateLimiter:
    """The configured limits and the counter that counts hits against them.

    Limit strings are parsed here, so a typo in the settings stops the app at start-up.
    """

    def __init__(
        self,
        counter: WindowCounter,
        *,
        enabled: bool = True,
        default: str = "100/minute",
        per_account: str = "5/minute",
        posts_per_author: str = "30/minute",
        overrides: Mapping[str, str] | None = None,
        trusted_proxies: Iterable[str] = (),
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.enabled = enabled
        self.default = parse(default)
        self.per_account = parse(per_account)
        self.posts_per_author = parse(posts_per_author)
        self.endpoint_limits = tuple(
            EndpointLimit.parse(key, limit) for key, limit in (overrides or {}).items()
        )
        self.trusted_proxies: tuple[IPNetwork, ...] = parse_trusted_proxies(trusted_proxies)
        self._counter = counter
        self._breaker = breaker
        self._fallback = None if isinstance(counter, MemoryWindowCounter) else MemoryWindowCounter()
        self.using_fallback = False
        """True while counts are kept in this process because the shared storage failed."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        redis: Redis | None,
        breaker: CircuitBreaker | None = None,
        *,
        auth_routes: Iterable[str] = (),
    ) -> "RateLimiter":
        """The limiter the settings describe. ``auth_routes`` (``"METHOD /template"``, from
        :func:`auth_limited_keys`) get ``APP_RATE_LIMIT_AUTH_PER_IP`` unless overridden."""
        overrides = dict(settings.rate_limit_overrides)  # listed first, so they win
        for key in auth_routes:
            overrides.setdefault(key, settings.rate_limit_auth_per_ip)
        return cls(
            create_counter(settings, redis),
            enabled=settings.rate_limit_enabled,
            default=settings.rate_limit_default,
            per_account=settings.rate_limit_auth_per_account,
            posts_per_author=settings.rate_limit_posts_per_author,
            overrides=overrides,
            trusted_proxies=settings.trusted_proxies,
            breaker=breaker,
        )

    async def hit(self, limit: RateLimitItem, *identifiers: str) -> RateLimitStatus | None:
        """Count one request against ``limit`` for ``identifiers``.

        When the shared storage fails, the request is counted in this process instead. Every
        exception is caught because each storage raises its own kinds (redis-py's
        ``ConnectionError`` is not the built-in one), and none of them may become a 500.
        Returns ``None`` only if there is nothing to fall back to (the storage already is this
        process's memory): the caller then lets the request through.
        """
        try:
            if self._breaker is None:
                count = await self._counter.hit(limit, identifiers)
            else:
                count = await self._breaker.call(self._counter.hit, limit, identifiers)
        except Exception as exc:
            if self._fallback is None:
                logger.warning("rate_limit_storage_failed", error=repr(exc))
                return None
            if not self.using_fallback:
                logger.warning("rate_limit_fallback_in_process", error=repr(exc))
                self.using_fallback = True
            fallback_count = await self._fallback.hit(limit, identifiers)
            return RateLimitStatus.of(limit, fallback_count)
        if self.using_fallback:
            logger.info("rate_limit_storage_recovered")
            self.using_fallback = False
        return RateLimitStatus.of(limit, count)

    async def check(self, limit: RateLimitItem, *identifiers: str) -> RateLimitStatus | None:
        """Count one request against ``limit`` for ``identifiers``, as a route dependency does:
        raise :class:`RateLimitedError` once over. ``None`` when limiting is off or no storage
        could count it (the request then goes through, as the middleware lets it)."""
        if not self.enabled:
            return None
        status = await self.hit(limit, *identifiers)
        if status is not None and not status.allowed:
            raise RateLimitedError(status)
        return status

    async def check_shared_storage(self) -> None:
        """Health check: raises while requests are counted in process, not in shared storage."""
        if self.using_fallback:
            raise RateLimitFallbackError("counting in this process: the shared storage failed")

    def limit_for(self, method: str, path: str) -> tuple[str, RateLimitItem]:
        """The count (its name) and limit a request falls under: its endpoint's, or the default."""
        for endpoint in self.endpoint_limits:
            if endpoint.matches(method, path):
                return endpoint.key, endpoint.limit
        return DEFAULT_BUCKET, self.default


def auth_limited_keys(routers: Iterable[APIRouter], prefix: str) -> list[str]:
    """``"METHOD /full/template"`` of every route marked :data:`AUTH_LIMITED` in ``routers``,
    which the app includes under ``prefix``."""
    keys: list[str] = []
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.openapi_extra:
                continue
            if route.openapi_extra.get("x-rate-limit") == AUTH_LIMITED["x-rate-limit"]:
                keys.extend(
                    f"{method} {prefix}{route.path}" for method in sorted(route.methods or ())
                )
    return keys


def rate_limited_response(status: RateLimitStatus) -> JSONResponse:
    return error_response(
        429, ErrorCode.RATE_LIMITED, MESSAGE, status.error_details(), status.headers()
    )


def _is_exempt(path: str) -> bool:
    return any(path == exempt or path.startswith(f"{exempt}/") for exempt in EXEMPT_PATHS)


class RateLimitMiddleware:
    """Count every request per client IP and answer 429 once its limit is reached.

    Pure ASGI (see :mod:`reference_app.web.middleware`): it runs before routing, so it is
    cheap, counts requests for unknown paths too, and never reads the body.
    """

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] != "http" or not self.limiter.enabled or _is_exempt(path):
            await self.app(scope, receive, send)
            return
        bucket, limit = self.limiter.limit_for(scope["method"], path)
        client = client_ip(scope, self.limiter.trusted_proxies)
        status = await self.limiter.hit(limit, bucket, client)
        if status is None:  # no storage at all could count it: let it through
            await self.app(scope, receive, send)
            return
        if not status.allowed:
            await rate_limited_response(status)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # setdefault: a limit the route reported itself (per account) wins.
                for name, value in status.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def limit_login_per_account(request: Request, email: str) -> None:
    """Count a login attempt against the account; raise :class:`RateLimitedError` when over."""
    limiter: RateLimiter = request.app.state.services.rate_limiter
    # The key holds a hash, not the address: limiter keys are visible to anyone reading Redis.
    account = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    await limiter.check(limiter.per_account, LOGIN_ACCOUNT_BUCKET, account)
