"""``db_pool_connections``: the database connection pools, read when Prometheus scrapes.

A gauge set on every checkout would cost each query a lock; a collector reads the pools only
when asked. In multi-process mode there is no asking another process, so each one stores its
counts at the end of every request instead, and ``/metrics`` adds them up.
"""

import weakref
from collections.abc import Iterator

from prometheus_client import REGISTRY, Gauge
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from reference_app.observability.metrics import MULTIPROCESS_DIR

DB_POOL_DOCUMENTATION = "Database connections of the pool: in use (checked_out) or idle."
# Multi-process mode only (see DatabasePools.sample); one process reads its pool at scrape time.
_DB_POOL_SAMPLED = Gauge(
    "db_pool_connections",
    DB_POOL_DOCUMENTATION,
    ["state"],
    multiprocess_mode="livesum",
    registry=None,
)


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
