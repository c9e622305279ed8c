"""``GET /metrics``: what Prometheus scrapes.

``/metrics`` is not under ``/api/v1``, is never rate limited, is left out of the OpenAPI
schema, and requires ``Authorization: Bearer <APP_METRICS_BEARER_TOKEN>`` when that is set.
Production refuses to start without that token (see ``Settings``), so there it is never anonymous.
"""

import secrets

from fastapi import FastAPI, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from reference_app import __version__
from reference_app.core.config import Settings
from reference_app.core.errors import AuthenticationError
from reference_app.observability.database_pools import DATABASE_POOLS
from reference_app.observability.metrics import APP_INFO, MULTIPROCESS_DIR

METRICS_PATH = "/metrics"


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


async def metrics(request: Request) -> Response:
    """The metrics in the format the scraper asks for (Prometheus text or OpenMetrics)."""
    settings: Settings = request.app.state.services.settings
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
