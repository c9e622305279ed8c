"""Prometheus metrics, served at ``GET /metrics``.

The names and labels are a contract with the alerts and the dashboard in
``infrastructure/observability`` (its README lists them; its tests reject a query using anything
else). Every metric is defined here, including the job metrics the Celery workers increment.

**Route labels are templates.** ``route`` is ``/api/v1/posts/{post_id}``, never
``/api/v1/posts/42``: each label value is a time series held in memory, and one per post id
would grow without bound. Requests that match no route share the label ``<unmatched>``.
FastAPI puts the matched route in ``scope["route"]``, but since routers are included lazily
(0.137) that is the route as declared in its own router, without the prefixes it was included
under (``/posts/{post_id}``). :class:`RouteTemplates` maps it to its full template with
FastAPI's public ``iter_route_contexts``; requests answered before routing (a 429 from the rate
limiter) or by the app's own routes (``/docs``) are matched against the same templates.

**One process or several.** By default the metrics live in this process's memory (the API runs
one uvicorn process per container; Prometheus scrapes every replica). With several worker
processes (``uvicorn --workers N``, gunicorn), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory before the processes start: prometheus-client then keeps each process's values in
files there, and ``/metrics`` adds them up (gauges as the sum over live processes).

``/metrics`` is not under ``/api/v1``, is never rate limited, is left out of the OpenAPI
schema, and requires ``Authorization: Bearer <APP_METRICS_BEARER_TOKEN>`` when that is set.
"""

import os
import secrets
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.routing import RouteContext, iter_route_contexts
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_app import __version__
from reference_app.core.config import Settings
from reference_app.core.errors import AuthenticationError

METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
"""The ``route`` label of requests that matched no route (scanners probing ``/wp-admin``)."""
OTHER_METHOD = "_OTHER"
"""The ``method`` label of non-standard methods: clients must not be able to add series."""
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

MULTIPROCESS_DIR: Final = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
"""Read once, like prometheus-client itself, which picks its storage when first imported."""

# No ``*_created`` series next to every counter and histogram: nothing here reads them, and
# each would be one more series to store.
disable_created_metrics()  # type: ignore[no-untyped-call]

# --- the contract -------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from receiving a request to the end of its response (whole stream for SSE).",
    ["method", "route"],
    buckets=DURATION_BUCKETS,
)
HTTP_REQUESTS_IN_PROGRESS = Gauge(
    "http_requests_in_progress",
    "Requests being handled now (open event streams included).",
    ["method"],
    multiprocess_mode="livesum",
)
CACHE_OPERATIONS = Counter(
    "cache_operations_total",
    "Cache lookups (hit, miss) and cache backend failures (error).",
    ["result"],
)
CACHE_HITS = CACHE_OPERATIONS.labels(result="hit")
CACHE_MISSES = CACHE_OPERATIONS.labels(result="miss")
CACHE_ERRORS = CACHE_OPERATIONS.labels(result="error")
RATE_LIMITED_REQUESTS = Counter(
    "rate_limited_requests_total",
    "Requests refused with 429 by a rate limit, by the route template they asked for.",
    ["route"],
)
JOBS = Counter(
    "jobs_total",
    "Background jobs finished, by task name and state (succeeded, failed, retried).",
    ["task", "state"],
)
JOB_DURATION = Histogram(
    "job_duration_seconds",
    "Time a background job ran, by task name.",
    ["task"],
    buckets=JOB_DURATION_BUCKETS,
)
DEAD_LETTERS = Counter(
    "dead_letters_total",
    "Jobs given up on after their last retry and set aside, by task name.",
    ["task"],
)
JOB_QUEUE_LENGTH = Gauge(
    "job_queue_length",
    "Jobs waiting in a queue, as last sampled.",
    ["queue"],
    multiprocess_mode="mostrecent",
)
SSE_CONNECTIONS = Gauge(
    "sse_connections",
    "Open Server-Sent Events streams.",
    multiprocess_mode="livesum",
)
APP_INFO = Gauge(
    "app_info",
    "Always 1; the labels say which version runs in which environment.",
    ["version", "environment"],
    multiprocess_mode="max",
)
DB_POOL_DOCUMENTATION = "Database connections of the pool: in use (checked_out) or idle."
# Multi-process mode only (see DatabasePools.sample); one process reads its pool at scrape time.
_DB_POOL_SAMPLED = Gauge(
    "db_pool_connections",
    DB_POOL_DOCUMENTATION,
    ["state"],
    multiprocess_mode="livesum",
    registry=None,
)


# --- the database pool, read at scrape time ------------------------------------------------


class DatabasePools(Collector):
    """``db_pool_connections``: the pools of this process's engines, read when scraped.

    Engines are held weakly, so an app that is gone stops counting. Pools without a fixed set of
    connections (``NullPool``, ``StaticPool``) have nothing to count and report 0.
    """

    def __init__(self) -> None:
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def track(self, engine: AsyncEngine | Engine) -> None:
        self._engines.add(engine.sync_engine if isinstance(engine, AsyncEngine) else engine)

    def counts(self) -> tuple[int, int]:
        """Connections (checked out, idle) over every tracked engine."""
        checked_out = idle = 0
        for engine in list(self._engines):
            checked_out += _pool_count(engine.pool, "checkedout")
            idle += _pool_count(engine.pool, "checkedin")
        return checked_out, idle

    def collect(self) -> Iterator[Metric]:
        checked_out, idle = self.counts()
        family = GaugeMetricFamily("db_pool_connections", DB_POOL_DOCUMENTATION, labels=["state"])
        family.add_metric(["checked_out"], checked_out)
        family.add_metric(["idle"], idle)
        yield family

    def sample(self) -> None:
        """Multi-process mode: store this process's counts, which ``/metrics`` adds up.

        Called at the end of every request, when the request's connection is back in the pool,
        so an idle process reports what it holds between requests.
        """
        checked_out, idle = self.counts()
        _DB_POOL_SAMPLED.labels(state="checked_out").set(checked_out)
        _DB_POOL_SAMPLED.labels(state="idle").set(idle)


def _pool_count(pool: object, method: str) -> int:
    count = getattr(pool, method, None)
    return int(count()) if callable(count) else 0


DATABASE_POOLS = DatabasePools()
if MULTIPROCESS_DIR is None:
    REGISTRY.register(DATABASE_POOLS)


def exposition_registry(multiprocess_dir: str | None = MULTIPROCESS_DIR) -> Collector:
    """What ``/metrics`` serves: this process's registry, or every process's files.

    In multi-process mode the registry is built per scrape, as prometheus-client requires:
    registering the metrics themselves in it would count this process twice.
    """
    if multiprocess_dir is None:
        return REGISTRY
    DATABASE_POOLS.sample()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
    return registry


# --- route templates -----------------------------------------------------------------------


class RouteTemplates:
    """The full template (``/api/v1/posts/{post_id}``) of the route a request matched."""

    def __init__(self) -> None:
        self._routes: Sequence[BaseRoute] | None = None
        self._route_count = -1
        self._contexts: list[tuple[RouteContext, str]] = []
        self._by_route: dict[int, list[tuple[RouteContext, str]]] = {}

    def template(self, scope: Scope, request_scope: Scope) -> str:
        """Call after the app ran: ``scope`` is what routing left, ``request_scope`` the
        request as it arrived (``type``, ``path``, ``root_path``, ``method``)."""
        app = scope.get("app")
        routes: Sequence[BaseRoute] = getattr(app, "routes", ())
        if routes is not self._routes or len(routes) != self._route_count:
            self._index(routes)
        candidates = self._contexts
        route = scope.get("route")
        if route is not None:
            found = self._by_route.get(id(route))
            if found is not None and len(found) == 1:
                return found[0][1]
            candidates = found or candidates  # included twice, under two prefixes: match
        return _match(candidates, request_scope)

    def _index(self, routes: Sequence[BaseRoute]) -> None:
        self._routes = routes
        self._route_count = len(routes)
        self._contexts = [
            (context, context.path_format)
            for context in iter_route_contexts(routes)
            if context.path_format is not None
        ]
        self._by_route = {}
        for context, template in self._contexts:
            self._by_route.setdefault(id(context.original_route), []).append((context, template))


def _match(candidates: Iterable[tuple[RouteContext, str]], scope: Scope) -> str:
    """Starlette's own rule: the first full match, else the first partial one (a 405)."""
    partial = None
    for context, template in candidates:
        match, _ = context.matches(scope)
        if match is Match.FULL:
            return template
        if match is Match.PARTIAL and partial is None:
            partial = template
    return partial or UNMATCHED


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else OTHER_METHOD


class MetricsMiddleware:
    """Count, time and track every HTTP request by method, route template and status.

    Pure ASGI (see :mod:`reference_app.core.middleware`). It sits outside the rate limiter, so a
    429 is counted too (and also in ``rate_limited_requests_total``); the route template is
    looked up after the app ran, once routing has put the matched route in the scope.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.routes = RouteTemplates()
        # prometheus-client's ``labels()`` takes a lock and checks every value on each call. The
        # label values here come from small fixed sets (methods, route templates, status codes),
        # so each series is looked up once and kept: that was more than half of this middleware's
        # cost (``bench/inprocess.py``: 12 -> 5 µs per request).
        self._in_progress: dict[str, Gauge] = {}
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _series_for(self, method: str, route: str, status_code: int) -> tuple[Counter, Histogram]:
        key = (method, route, status_code)
        series = self._series.get(key)
        if series is None:
            series = (
                HTTP_REQUESTS.labels(method=method, route=route, status=str(status_code)),
                HTTP_REQUEST_DURATION.labels(method=method, route=route),
            )
            self._series[key] = series
        return series

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = method_label(scope["method"])
        request_scope = {
            "type": "http",
            "path": scope["path"],
            "root_path": scope.get("root_path", ""),
            "method": scope["method"],
        }
        status_code = 500  # unless a response starts: an exception ServerErrorMiddleware answers
        in_progress = self._in_progress.get(method)
        if in_progress is None:
            in_progress = self._in_progress[method] = HTTP_REQUESTS_IN_PROGRESS.labels(method)

        async def send_and_record(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        in_progress.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_record)
        finally:
            duration = time.perf_counter() - started
            in_progress.dec()
            route = self.routes.template(scope, request_scope)
            requests, durations = self._series_for(method, route, status_code)
            requests.inc()
            durations.observe(duration)
            if status_code == 429:  # only the rate limits answer 429 (code RATE_LIMITED)
                RATE_LIMITED_REQUESTS.labels(route=route).inc()
            if MULTIPROCESS_DIR is not None:
                DATABASE_POOLS.sample()


# --- GET /metrics --------------------------------------------------------------------------


async def metrics(request: Request) -> Response:
    """The metrics in the format the scraper asks for (Prometheus text or OpenMetrics)."""
    settings: Settings = request.app.state.settings
    _authorize(request, settings)
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(exposition_registry()), headers={"Content-Type": content_type})


def _authorize(request: Request, settings: Settings) -> None:
    if settings.metrics_bearer_token is None:
        return
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    expected = settings.metrics_bearer_token.get_secret_value()
    # compare_digest: the time taken must not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        credentials.strip().encode(), expected.encode()
    ):
        raise AuthenticationError("The metrics need 'Authorization: Bearer <metrics token>'")


def install_metrics(app: FastAPI, settings: Settings, engine: AsyncEngine) -> None:
    """Serve ``GET /metrics`` and record what the app exports (unless metrics are disabled).

    The middleware is added by ``create_app`` with the others, where its position is decided.
    """
    if not settings.metrics_enabled:
        return
    DATABASE_POOLS.track(engine)
    APP_INFO.labels(version=__version__, environment=settings.environment.value).set(1)
    app.add_api_route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)
