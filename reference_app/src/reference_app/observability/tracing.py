"""Distributed tracing with OpenTelemetry: off unless the standard ``OTEL_*`` variables ask.

**When is it on?** Only the OpenTelemetry SDK's own variables configure it; the app adds none:

- ``OTEL_SDK_DISABLED=true``: off, whatever else is set.
- ``OTEL_TRACES_EXPORTER``: a comma-separated list of ``otlp`` and ``console``; ``none`` is off.
- Otherwise ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set
  means ``otlp``. Nothing set: off. (The SDK's own default exporter is ``otlp`` to
  ``localhost:4318``; a machine without a collector would log an export error every few
  seconds, so here tracing is opt-in.)

The OTLP exporter speaks HTTP/protobuf (``OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf``, port
4318); it reads its endpoint, headers, timeout and compression from the ``OTEL_EXPORTER_OTLP_*``
variables. ``OTEL_SERVICE_NAME`` (default ``reference-app``), ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG`` (default: ``parentbased_always_on``) and
``OTEL_PROPAGATORS`` (default: W3C ``tracecontext,baggage``) work as documented by
OpenTelemetry. ``OTEL_PYTHON_FASTAPI_EXCLUDED_URLS`` replaces the default list of URLs not
traced (``/metrics`` and the health probes, which would otherwise be most of the spans).

**When off, it costs nothing**: this module imports nothing of the SDK, creates no tracer
provider and installs no instrumentation. When on:

- every request gets a server span named after its route template (``GET
  /api/v1/posts/{post_id}``), continuing the trace of an incoming ``traceparent`` header;
- SQL statements (the app's engine), Redis commands (the app's client) and outgoing httpx
  requests get child spans; httpx requests carry ``traceparent`` onwards;
- Celery: publishing a job records a span and puts ``traceparent`` in the message headers, and
  the worker continues that trace (:func:`configure_process_tracing` from the worker's
  ``worker_process_init`` signal);
- log lines written during a span carry its ``trace_id`` and ``span_id``
  (:func:`reference_app.observability.logging.add_trace_context`).

Tests pass their own ``tracer_provider`` (with an in-memory exporter) to
:func:`configure_tracing`; only :func:`configure_process_tracing` touches process-wide state.
"""

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

import structlog
from fastapi import FastAPI
from opentelemetry import trace
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from reference_app import __version__
from reference_app.core.config import API_PREFIX

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider as SDKTracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

logger = structlog.get_logger(__name__)

DEFAULT_SERVICE_NAME = "reference-app"
DEFAULT_EXCLUDED_URLS = f"/metrics$,{API_PREFIX}/health/"
"""Regular expressions searched in the URL; those requests get no span."""
SUPPORTED_PROTOCOL = "http/protobuf"


def requested_exporters(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The span exporters the environment asks for; empty means tracing is off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    configured = environ.get("OTEL_TRACES_EXPORTER", "").strip()
    if configured:
        names = [name.strip().lower() for name in configured.split(",") if name.strip()]
        return [] if "none" in names else names
    if environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        return ["otlp"]
    return []


def create_tracer_provider(
    exporters: list[str], environment: str | None = None
) -> "SDKTracerProvider":
    """A tracer provider exporting to ``exporters`` in batches, sampling as configured."""
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    defaults = {"service.name": DEFAULT_SERVICE_NAME, "service.version": __version__}
    if environment is not None:
        defaults["deployment.environment.name"] = environment
    # Resource.create lets explicit attributes win over the environment; here it is the reverse.
    from_environment = OTELResourceDetector().detect().attributes
    resource = Resource.create({k: v for k, v in defaults.items() if k not in from_environment})
    provider = TracerProvider(resource=resource)  # the sampler comes from OTEL_TRACES_SAMPLER
    for exporter in _span_exporters(exporters):
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _span_exporters(names: list[str]) -> list["SpanExporter"]:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    exporters: list[SpanExporter] = []
    for name in names:
        if name == "otlp":
            protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
                "OTEL_EXPORTER_OTLP_PROTOCOL", SUPPORTED_PROTOCOL
            )
            if protocol != SUPPORTED_PROTOCOL:
                logger.warning(
                    "tracing_protocol_unsupported", protocol=protocol, using=SUPPORTED_PROTOCOL
                )
            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        else:
            logger.warning("tracing_exporter_unknown", exporter=name)
    return exporters


class _ProcessTracing:
    """What :func:`configure_process_tracing` decided, once per process."""

    lock = threading.Lock()
    configured = False
    provider: "SDKTracerProvider | None" = None


def configure_process_tracing(environment: str | None = None) -> "SDKTracerProvider | None":
    """Set up tracing for this process as the ``OTEL_*`` variables say; ``None`` when off.

    Runs once per process (later calls return the first result): it installs the global tracer
    provider, and instruments httpx and Celery, which are process-wide. Celery workers call it
    from ``worker_process_init``, so each forked worker process exports its own spans.
    """
    with _ProcessTracing.lock:
        if _ProcessTracing.configured:
            return _ProcessTracing.provider
        _ProcessTracing.configured = True
        exporters = requested_exporters()
        if not exporters:
            return None
        provider = create_tracer_provider(exporters, environment)
        trace.set_tracer_provider(provider)
        instrument_httpx(provider)
        instrument_celery(provider)
        _ProcessTracing.provider = provider
        logger.info("tracing_enabled", exporters=exporters)
        return provider


def configure_tracing(
    app: FastAPI,
    engine: AsyncEngine,
    *,
    redis: Redis | None = None,
    environment: str | None = None,
    tracer_provider: trace.TracerProvider | None = None,
) -> trace.TracerProvider | None:
    """Trace ``app``'s requests, ``engine``'s statements and ``redis``'s commands.

    Without ``tracer_provider``, the process-wide one from the environment is used (its
    resource named after ``environment``, the app's), and nothing is installed when the
    environment leaves tracing off. Call before the app serves anything
    (its middleware stack is built on first use). Returns the provider used, if any.
    """
    if tracer_provider is None:
        tracer_provider = configure_process_tracing(environment)
        if tracer_provider is None:
            return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.metrics import NoOpMeterProvider

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        # Metrics are Prometheus' job (reference_app.observability.metrics).
        meter_provider=NoOpMeterProvider(),
        excluded_urls=os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS")
        or os.environ.get("OTEL_PYTHON_EXCLUDED_URLS")
        or DEFAULT_EXCLUDED_URLS,
        # No span per ASGI message: an event stream would make one per event.
        exclude_spans=["receive", "send"],
    )
    instrument_engine(engine, tracer_provider)
    if redis is not None:
        RedisInstrumentor.instrument_client(redis, tracer_provider=tracer_provider)
    return tracer_provider


def instrument_engine(engine: AsyncEngine, tracer_provider: trace.TracerProvider) -> None:
    """A span per SQL statement run on ``engine`` (this engine only, with this provider).

    ``SQLAlchemyInstrumentor().instrument(engine=...)`` would do the same, but also patch
    ``create_engine`` for the whole process, once: several apps in one process (the tests,
    the lessons) could not each have their own provider.
    """
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    tracer = tracer_provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    meter = NoOpMeterProvider().get_meter("opentelemetry.instrumentation.sqlalchemy")
    usage = meter.create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def instrument_httpx(tracer_provider: trace.TracerProvider | None = None) -> None:
    """Client spans for every httpx request of this process, with ``traceparent`` sent on."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument(tracer_provider=tracer_provider)


def instrument_celery(tracer_provider: trace.TracerProvider | None = None) -> None:
    """Spans for publishing and running Celery tasks, the trace carried in message headers.

    Needed on both sides: where jobs are sent (the API) and where they run (each worker
    process, after the fork: call it, or :func:`configure_process_tracing`, from
    ``worker_process_init``).
    """
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    CeleryInstrumentor().instrument(tracer_provider=tracer_provider)  # type: ignore[no-untyped-call]
