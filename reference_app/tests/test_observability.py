"""Observability: Prometheus metrics at /metrics, OpenTelemetry traces, trace ids in logs.

Metrics live in one registry per process (as in production), so the tests compare values before
and after what they do rather than expecting absolute numbers. Tracing tests give each app its
own tracer provider with an in-memory exporter; the one test of the process-wide set-up restores
OpenTelemetry's global state afterwards.
"""

import asyncio
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import structlog
import structlog.testing
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request
from httpx import ASGITransport, AsyncClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from opentelemetry.util._once import Once
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import TypeAdapter
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool, StaticPool
from typer.testing import CliRunner

from reference_app import __version__, cli
from reference_app.caching.cache import Cache, CacheKey
from reference_app.core.config import Settings
from reference_app.main import create_app
from reference_app.observability import metrics, tracing
from reference_app.observability.database_pools import DATABASE_POOLS, DatabasePools
from reference_app.observability.http_metrics import MetricsMiddleware
from reference_app.observability.logging import REDACTED, configure_logging
from reference_app.observability.metrics_endpoint import exposition_registry
from reference_app.observability.tracing import (
    configure_process_tracing,
    configure_tracing,
    create_tracer_provider,
    instrument_celery,
    instrument_httpx,
    requested_exporters,
)
from reference_app.services import services_of
from reference_app.task_queue import observability as jobs_observability
from reference_app.testing import TEST_SECRET_KEY, settings_for_tests
from tests.support import error_code, sign_up

POSTS = "/api/v1/posts"
POST_TEMPLATE = "/api/v1/posts/{post_id}"
METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"
# Keep in sync with infrastructure/observability/README.md (and its test's CONTRACT).
CONTRACT = (
    "http_requests_total",
    "http_request_duration_seconds",
    "http_requests_in_progress",
    "cache_operations_total",
    "rate_limited_requests_total",
    "jobs_total",
    "job_duration_seconds",
    "dead_letters_total",
    "job_queue_length",
    "db_pool_connections",
    "sse_connections",
    "app_info",
)


def sample(name: str, **labels: str) -> float:
    """A sample's current value in this process's registry (0 if never recorded)."""
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


def requests_total(route: str, status: str, method: str = "GET") -> float:
    return sample("http_requests_total", method=method, route=route, status=status)


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text format to {(sample name, labels): value}."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


# --- HTTP metrics -------------------------------------------------------------------------


async def test_requests_are_counted_by_route_template_and_status(client: AsyncClient) -> None:
    post_id = uuid.uuid4()
    counted = requests_total(POST_TEMPLATE, "404")
    timed = sample("http_request_duration_seconds_count", method="GET", route=POST_TEMPLATE)
    in_progress = sample("http_requests_in_progress", method="GET")

    for _ in range(2):
        assert (await client.get(f"{POSTS}/{post_id}")).status_code == 404

    assert requests_total(POST_TEMPLATE, "404") == counted + 2
    assert sample("http_request_duration_seconds_count", method="GET", route=POST_TEMPLATE) == (
        timed + 2
    )
    assert sample("http_requests_in_progress", method="GET") == in_progress
    assert str(post_id) not in (await client.get("/metrics")).text  # one series, not one per id


async def test_a_request_is_in_progress_while_it_is_handled(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/api/v1/probe")
    async def probe() -> float:
        return sample("http_requests_in_progress", method="GET")

    async with serving(app) as client:
        before = sample("http_requests_in_progress", method="GET")
        during = (await client.get("/api/v1/probe")).json()
        assert during == before + 1
        assert sample("http_requests_in_progress", method="GET") == before


@pytest.mark.parametrize(
    ("method", "path", "status", "method_label", "route"),
    [
        ("GET", "/wp-admin/setup.php", "404", "GET", "<unmatched>"),
        ("BREW", "/coffee", "404", "_OTHER", "<unmatched>"),
        ("DELETE", "/api/v1/health/live", "405", "DELETE", "/api/v1/health/live"),
        ("GET", "/api/v1/posts/not-a-uuid", "422", "GET", POST_TEMPLATE),
        ("GET", "/docs", "200", "GET", "/docs"),
    ],
)
async def test_every_request_gets_a_bounded_route_label(
    client: AsyncClient, method: str, path: str, status: str, method_label: str, route: str
) -> None:
    before = requests_total(route, status, method_label)
    assert (await client.request(method, path)).status_code == int(status)
    assert requests_total(route, status, method_label) == before + 1


async def test_a_router_included_twice_is_labelled_with_the_prefix_used() -> None:
    router = APIRouter()

    @router.get("/items/{item_id}")
    async def item(item_id: int) -> int:
        return item_id

    app = FastAPI()
    app.include_router(router, prefix="/first")
    app.include_router(router, prefix="/second")
    app.add_middleware(MetricsMiddleware)
    before = requests_total("/second/items/{item_id}", "200")
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/second/items/7")).json() == 7
    assert requests_total("/second/items/{item_id}", "200") == before + 1


async def test_metrics_endpoint_serves_the_contract(client: AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    for name in CONTRACT:
        assert f"# TYPE {name} " in response.text, name
    samples = parse(response.text)
    info = {labels: value for (name, labels), value in samples.items() if name == "app_info"}
    assert info[frozenset({("version", __version__), ("environment", "test")})] == 1
    assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]


async def test_metrics_speak_openmetrics_when_asked(client: AsyncClient) -> None:
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


async def test_metrics_are_never_rate_limited(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, rate_limit_default="1/minute"))
    async with serving(app) as client:
        statuses = [(await client.get("/metrics")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


async def test_a_rate_limited_request_is_counted_under_its_route(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, rate_limit_default="2/minute"))
    limited = sample("rate_limited_requests_total", route=POST_TEMPLATE)
    refused = requests_total(POST_TEMPLATE, "429")
    async with serving(app) as client:
        statuses = [(await client.get(f"{POSTS}/{uuid.uuid4()}")).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    assert sample("rate_limited_requests_total", route=POST_TEMPLATE) == limited + 1
    assert requests_total(POST_TEMPLATE, "429") == refused + 1


# --- /metrics access ----------------------------------------------------------------------


async def test_a_metrics_token_is_required_once_configured(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, metrics_bearer_token=METRICS_TOKEN))
    async with serving(app) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert error_code(refused) == "NOT_AUTHENTICATED"
        assert refused.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200
    assert "http_requests_total" in right.text


def test_an_empty_metrics_token_means_none(database_url: str) -> None:
    assert settings_for_tests(database_url, metrics_bearer_token="").metrics_bearer_token is None


async def test_production_metrics_are_never_anonymous() -> None:
    """Production cannot start without a token (test_config.py), so /metrics always asks."""
    settings = Settings.model_validate(
        {
            "environment": "production",
            "secret_key": TEST_SECRET_KEY,
            # Never connected to: neither /metrics nor the refusal touches the database.
            "database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
            "cors_origins": ["https://app.example"],
            "metrics_bearer_token": METRICS_TOKEN,
        }
    )
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        anonymous = await client.get("/metrics")
        scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert anonymous.status_code == 401
    assert error_code(anonymous) == "NOT_AUTHENTICATED"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["error"]["request_id"] == anonymous.headers["x-request-id"]
    assert "http_requests_total" not in anonymous.text
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert 'app_info{environment="production"' in scraped.text


async def test_disabled_metrics_are_neither_served_nor_recorded(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, metrics_enabled=False))
    before = requests_total("/api/v1/health/live", "200")
    async with serving(app) as client:
        assert (await client.get("/api/v1/health/live")).status_code == 200
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert error_code(response) == "NOT_FOUND"
    assert requests_total("/api/v1/health/live", "200") == before


# --- cache, database pool, event streams ---------------------------------------------------


async def test_cache_lookups_are_counted_as_hits_and_misses(client: AsyncClient) -> None:
    author = await sign_up(client)
    created = await client.post(
        POSTS,
        headers=author.headers,
        json={"title": "Cached", "content": "Body.", "published": True},
    )
    url = f"{POSTS}/{created.json()['id']}"
    hits, misses = (
        sample("cache_operations_total", result="hit"),
        sample("cache_operations_total", result="miss"),
    )
    assert (await client.get(url)).status_code == 200  # loaded, then stored
    assert sample("cache_operations_total", result="miss") == misses + 1
    assert sample("cache_operations_total", result="hit") == hits
    assert (await client.get(url)).status_code == 200  # from the cache
    assert sample("cache_operations_total", result="hit") == hits + 1
    assert sample("cache_operations_total", result="miss") == misses + 1


class UnreachableBackend:
    """A cache backend whose every operation fails like a Redis that went away."""

    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("cache down")

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        raise ConnectionError("cache down")

    async def delete(self, *keys: str) -> None:
        raise ConnectionError("cache down")

    async def incr(self, key: str) -> int:
        raise ConnectionError("cache down")


async def test_cache_backend_failures_are_counted_as_errors() -> None:
    cache = Cache(UnreachableBackend(), ttl_seconds={"post": 60})
    errors = sample("cache_operations_total", result="error")

    async def load() -> int:
        return 42

    assert await cache.get_or_load(CacheKey("post", "1"), load, TypeAdapter(int)) == 42
    assert cache.stats.errors > 0
    assert sample("cache_operations_total", result="error") == errors + cache.stats.errors


async def test_database_pool_connections_are_read_at_scrape_time(
    app: FastAPI, client: AsyncClient
) -> None:
    assert (await client.get("/api/v1/health/ready")).status_code == 200
    checked_out, idle = DATABASE_POOLS.counts()
    async with services_of(app).engine.connect():
        assert DATABASE_POOLS.counts() == (checked_out + 1, max(idle - 1, 0))
        scraped = parse((await client.get("/metrics")).text)
        assert scraped[("db_pool_connections", frozenset({("state", "checked_out")}))] == (
            checked_out + 1
        )
    assert ("db_pool_connections", frozenset({("state", "idle")})) in scraped


async def test_pools_without_a_fixed_set_of_connections_count_nothing(tmp_path: Path) -> None:
    pools = DatabasePools()
    url = f"sqlite+aiosqlite:///{tmp_path / 'pools.db'}"
    engines = [
        create_async_engine(url, poolclass=NullPool),
        create_async_engine(url, poolclass=StaticPool),
    ]
    for engine in engines:
        pools.track(engine)
    pools.track(engines[0].sync_engine)  # a synchronous engine is accepted as well
    async with engines[0].connect(), engines[1].connect():
        assert pools.counts() == (0, 0)
        (family,) = pools.collect()
        assert [(s.labels["state"], s.value) for s in family.samples] == [
            ("checked_out", 0),
            ("idle", 0),
        ]
    for engine in engines:
        await engine.dispose()


async def test_open_event_streams_are_counted(app: FastAPI) -> None:
    broker = services_of(app).event_broker
    before = sample("sse_connections")
    async with broker.subscribe(None), broker.subscribe(None):
        assert sample("sse_connections") == before + 2
    assert sample("sse_connections") == before


# --- several processes --------------------------------------------------------------------

WORKER = """
import asyncio, sys
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from reference_app.core.config import Settings
from reference_app.main import create_app

async def main(requests: int, scrape: bool) -> None:
    settings = Settings.model_validate({
        "environment": "test", "database_url": sys.argv[3], "secret_key": sys.argv[4],
        "auto_migrate": False,
    })
    app = create_app(settings)
    transport = ASGITransport(app=app)
    async with LifespanManager(app), AsyncClient(transport=transport, base_url="http://t") as c:
        for _ in range(requests):
            assert (await c.get("/api/v1/health/live")).status_code == 200
        if scrape:
            print((await c.get("/metrics")).text)

asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "scrape"))
"""


def test_worker_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two processes share PROMETHEUS_MULTIPROC_DIR; either one's /metrics shows their sum."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OTEL_"))}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"

    def worker(requests: int, mode: str) -> str:
        result = subprocess.run(  # noqa: S603 - our interpreter, our script
            [sys.executable, str(script), str(requests), mode, database_url, TEST_SECRET_KEY],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    worker(3, "quiet")
    served = parse(worker(2, "scrape"))
    from_files = parse(generate_latest(exposition_registry(str(metrics_dir))).decode())

    live = frozenset({("method", "GET"), ("route", "/api/v1/health/live"), ("status", "200")})
    for scraped in (served, from_files):
        assert scraped[("http_requests_total", live)] == 5
        info = [labels for name, labels in scraped if name == "app_info"]
        assert info == [frozenset({("version", __version__), ("environment", "test")})]
        assert ("db_pool_connections", frozenset({("state", "idle")})) in scraped
        assert ("sse_connections", frozenset()) in scraped


def test_serve_with_several_workers_gives_them_a_metrics_directory(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv("APP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    clean_environment.chdir(tmp_path)
    clean_environment.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored (unset) afterwards
    seen: list[str] = []
    clean_environment.setattr(
        uvicorn, "run", lambda *args, **kwargs: seen.append(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    )

    assert CliRunner().invoke(cli.app, ["serve", "--workers", "2"]).exit_code == 0
    (directory,) = seen
    assert Path(directory).is_dir()
    assert list(Path(directory).iterdir()) == []

    clean_environment.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the operator's own
    assert CliRunner().invoke(cli.app, ["serve", "--workers", "2"]).exit_code == 0
    assert seen[-1] == str(tmp_path)


# --- tracing ------------------------------------------------------------------------------

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN_ID = "b7ad6b7169203331"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    """A provider of the test's own: the global one is never touched."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


@pytest.fixture
async def traced(
    settings: Settings, tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    assert configure_tracing(app, services_of(app).engine, tracer_provider=tracer_provider)
    async with serving(app) as client:
        exporter.clear()
        yield client


def server_span(exporter: InMemorySpanExporter) -> ReadableSpan:
    (span,) = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    return span


def hex_ids(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return format(span.context.trace_id, "032x"), format(span.context.span_id, "016x")


async def test_a_request_is_a_server_span_with_its_sql_statements_inside(
    traced: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    # A post that does not exist: never cached, so the database is asked every time.
    assert (await traced.get(f"{POSTS}/{uuid.uuid4()}")).status_code == 404

    server = server_span(exporter)
    assert server.name == f"GET {POST_TEMPLATE}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == POST_TEMPLATE
    statements = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.CLIENT and s.attributes and "db.statement" in s.attributes
    ]
    assert statements, [s.name for s in exporter.get_finished_spans()]
    for statement in statements:
        assert statement.parent is not None
        assert format(statement.parent.span_id, "016x") == hex_ids(server)[1]
        assert hex_ids(statement)[0] == hex_ids(server)[0]
    assert any(str((s.attributes or {})["db.statement"]).startswith("SELECT") for s in statements)


async def test_an_incoming_traceparent_is_continued(
    traced: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    traceparent = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
    await traced.get(f"{POSTS}/{uuid.uuid4()}", headers={"traceparent": traceparent})

    server = server_span(exporter)
    assert hex_ids(server)[0] == TRACE_ID
    assert server.parent is not None
    assert server.parent.is_remote
    assert format(server.parent.span_id, "016x") == PARENT_SPAN_ID


async def test_health_probes_and_scrapes_are_not_traced(
    traced: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.get("/api/v1/health/live")
    await traced.get("/metrics")
    assert [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER] == []


async def test_log_lines_of_a_traced_request_carry_its_ids_and_stay_redacted(
    settings: Settings, tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    json_settings = settings.model_copy(update={"log_json": True})
    app = create_app(json_settings)

    @app.get("/api/v1/diagnostic")
    async def diagnostic(request: Request) -> None:
        structlog.get_logger("test").info(
            "diagnostic", authorization=request.headers["authorization"], password="hunter2"
        )

    configure_tracing(app, services_of(app).engine, tracer_provider=tracer_provider)
    stream = io.StringIO()
    configure_logging(json_settings, stream=stream)
    async with serving(app) as client:
        response = await client.get(
            "/api/v1/diagnostic", headers={"Authorization": "Bearer very-secret-token"}
        )

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    logged = next(line for line in lines if line["event"] == "diagnostic")
    access = next(line for line in lines if line["event"] == "request")
    trace_id, span_id = hex_ids(server_span(exporter))
    assert logged["trace_id"] == access["trace_id"] == trace_id
    assert access["span_id"] == span_id  # written while the server span is current
    assert len(logged["span_id"]) == 16
    assert logged["request_id"] == access["request_id"] == response.headers["x-request-id"]
    assert logged["authorization"] == logged["password"] == REDACTED
    assert "very-secret-token" not in stream.getvalue()
    assert "hunter2" not in stream.getvalue()


def test_a_line_logged_outside_any_span_has_no_trace_ids(settings: Settings) -> None:
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_json": True}), stream=stream)
    structlog.get_logger("test").info("untraced")
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert "trace_id" not in line
    assert "span_id" not in line


async def test_redis_commands_are_traced(
    settings: Settings, tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    app = create_app(settings)
    # Nothing listens there: the span is recorded all the same, with the error.
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    configure_tracing(app, services_of(app).engine, redis=redis, tracer_provider=tracer_provider)
    tracer = tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("parent") as parent, pytest.raises(RedisError):
        await redis.ping()
    await redis.aclose()
    await services_of(app).engine.dispose()

    (command,) = [s for s in exporter.get_finished_spans() if s.name == "PING"]
    assert command.parent is not None
    assert command.parent.span_id == parent.get_span_context().span_id


async def test_outgoing_httpx_requests_carry_the_trace(
    tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    received: list[str] = []

    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        received.extend(line for line in head.split("\r\n") if line.startswith("traceparent:"))
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(upstream, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrument_httpx(tracer_provider)
    try:
        async with httpx.AsyncClient() as http:
            with tracer_provider.get_tracer("test").start_as_current_span("parent") as parent:
                assert (await http.get(f"http://127.0.0.1:{port}/hook")).status_code == 204
    finally:
        HTTPXClientInstrumentor().uninstrument()
        server.close()
        await server.wait_closed()

    (client,) = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    trace_id = format(parent.get_span_context().trace_id, "032x")
    (header,) = received
    assert header.startswith(f"traceparent: 00-{trace_id}-{hex_ids(client)[1]}-")  # then flags


def test_a_job_continues_the_trace_of_the_request_that_queued_it(
    tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    from celery import Celery
    from celery.worker.request import Request as WorkerRequest
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    jobs = Celery("tracing-test", broker="memory://")
    seen: list[int] = []

    @jobs.task(name="tracing_test.remember_trace")  # type: ignore[untyped-decorator]
    def remember_trace() -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    instrument_celery(tracer_provider)
    try:
        with tracer_provider.get_tracer("test").start_as_current_span("request") as request:
            remember_trace.delay()
        # What a worker does with the message: the headers carry the W3C trace context.
        with jobs.connection_for_read() as connection:
            queue = connection.SimpleQueue("celery")
            message = queue.get(timeout=5)
            assert message.headers["traceparent"].startswith(f"00-{trace_hex(request)}-")
            WorkerRequest(message, app=jobs).execute()
            queue.close()
    finally:
        CeleryInstrumentor().uninstrument()  # type: ignore[no-untyped-call]

    assert seen == [request.get_span_context().trace_id]
    kinds = {s.kind for s in exporter.get_finished_spans() if "remember_trace" in s.name}
    assert kinds == {SpanKind.PRODUCER, SpanKind.CONSUMER}


def trace_hex(span: trace.Span) -> str:
    return format(span.get_span_context().trace_id, "032x")


# --- tracing configured by the environment ---------------------------------------------------


@pytest.fixture
def process_tracing(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No OTEL_* variables, and OpenTelemetry's global state as new; restored afterwards."""
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(tracing._ProcessTracing, "configured", False)
    monkeypatch.setattr(tracing._ProcessTracing, "provider", None)
    yield monkeypatch
    provider = tracing._ProcessTracing.provider
    if provider is not None:
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        provider.shutdown()
        HTTPXClientInstrumentor().uninstrument()
        CeleryInstrumentor().uninstrument()  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(
    ("environ", "exporters"),
    [
        ({}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "console, OTLP"}, ["console", "otlp"]),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}, []),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, []),
    ],
)
def test_the_otel_variables_decide_whether_tracing_is_on(
    environ: dict[str, str], exporters: list[str]
) -> None:
    assert requested_exporters(environ) == exporters


def test_tracing_is_off_by_default(process_tracing: pytest.MonkeyPatch, settings: Settings) -> None:
    app = create_app(settings)
    assert configure_process_tracing() is None
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)


async def test_the_environment_turns_tracing_on_for_the_process(
    process_tracing: pytest.MonkeyPatch, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    process_tracing.setenv("OTEL_TRACES_EXPORTER", "console")
    process_tracing.setenv("OTEL_SERVICE_NAME", "api-under-test")
    app = create_app(settings)
    provider = configure_process_tracing()
    assert isinstance(provider, TracerProvider)
    assert trace.get_tracer_provider() is provider
    create_app(settings)
    assert configure_process_tracing() is provider  # decided once per process
    attributes = provider.resource.attributes
    assert attributes["service.name"] == "api-under-test"
    assert attributes["service.version"] == __version__
    assert attributes["deployment.environment.name"] == "test"

    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with serving(app) as client:
        await client.get(f"{POSTS}/{uuid.uuid4()}")
    # FastAPI's own telemetry (on when a global provider is set) steps aside for the
    # instrumentation: one server span, not two.
    assert server_span(exporter).name == f"GET {POST_TEMPLATE}"


def test_unsupported_exporter_settings_are_reported_not_fatal(
    process_tracing: pytest.MonkeyPatch,
) -> None:
    process_tracing.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    process_tracing.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging")
    with structlog.testing.capture_logs() as logs:
        provider = create_tracer_provider(["otlp", "zipkin"], environment="test")
    assert [log["event"] for log in logs] == [
        "tracing_protocol_unsupported",
        "tracing_exporter_unknown",
    ]
    assert provider.resource.attributes["service.name"] == "reference-app"
    assert provider.resource.attributes["deployment.environment.name"] == "staging"
    provider.shutdown()


def test_an_exiting_worker_child_leaves_no_live_gauges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prefork children come and go: their gauges must not be added up after they exit."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setattr(metrics, "MULTIPROCESS_DIR", str(tmp_path))
    pid = os.getpid()
    live_gauge = tmp_path / f"gauge_livesum_{pid}.db"
    counter = tmp_path / f"counter_{pid}.db"
    live_gauge.write_bytes(b"")
    counter.write_bytes(b"")
    jobs_observability._forget_dead_child()
    assert not live_gauge.exists()
    assert counter.exists()  # totals survive the process that counted them
