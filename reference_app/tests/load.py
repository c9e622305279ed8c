"""A small, bounded load generator for the fault tests, and where their figures go.

The fault tests send a few hundred requests over real sockets (loopback) while a dependency is
killed, frozen or refusing connections, then assert figures: how many requests failed and the
99th-percentile latency. ``wrk`` and Locust measure throughput; these tests measure what a
client sees during a fault, so they need every response, not a summary.

When ``RELIABILITY_FIGURES`` names a file, each test also appends its figures there (one JSON
object per line); ``bench/reliability.py`` runs the fault tests that way and writes
``bench/RELIABILITY.md`` from the file.
"""

import asyncio
import json
import math
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass
class LoadResult:
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    started: list[float] = field(default_factory=list)  # perf_counter() at each answered request
    transport_errors: list[str] = field(default_factory=list)  # dropped or refused connections

    @property
    def requests(self) -> int:
        return len(self.statuses) + len(self.transport_errors)

    @property
    def failed(self) -> int:
        """Requests a client would call failed: a 5xx (other than an intended 503) or no answer."""
        return len(self.transport_errors) + sum(
            1 for status in self.statuses if status >= 500 and status != 503
        )

    def percentile_ms(self, percentile: float) -> float:
        if not self.latencies:
            return math.inf
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, math.ceil(percentile / 100 * len(ordered)) - 1)
        return round(ordered[max(0, index)] * 1000, 1)

    @property
    def latencies_ms(self) -> list[float]:
        return [latency * 1000 for latency in self.latencies]

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    def between(self, start: float, end: float) -> "LoadResult":
        """The answered requests that started in ``[start, end)`` (``perf_counter`` times)."""
        window = LoadResult()
        for began, latency, status in zip(self.started, self.latencies, self.statuses, strict=True):
            if start <= began < end:
                window.started.append(began)
                window.latencies.append(latency)
                window.statuses.append(status)
        return window


async def run_load(
    base_url: str,
    request: Request,
    *,
    concurrency: int,
    total: int | None = None,
    during: Callable[[], Awaitable[None]] | None = None,
) -> LoadResult:
    """Send requests from ``concurrency`` clients while ``during`` (the fault's script) runs.

    The load ends after ``total`` requests, or, without a total, when ``during`` returns.
    """
    if total is None and during is None:
        raise ValueError("give a total, a fault script to last as long as, or both")
    result = LoadResult()
    finished = asyncio.Event()
    in_flight = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    def more() -> bool:
        if total is not None:
            return result.requests + in_flight < total
        return not finished.is_set()

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            nonlocal in_flight
            while more():
                in_flight += 1
                started = time.perf_counter()
                try:
                    response = await request(client)
                except httpx.TransportError as exc:
                    result.transport_errors.append(type(exc).__name__)
                    continue
                else:
                    result.started.append(started)
                    result.latencies.append(time.perf_counter() - started)
                    result.statuses.append(response.status_code)
                finally:
                    in_flight -= 1

        async def fault() -> None:
            if during is not None:
                await during()
            finished.set()

        await asyncio.gather(fault(), *(worker() for _ in range(concurrency)))
    return result


def record_figures(scenario: str, result: LoadResult, **extra: object) -> None:
    """Append a load scenario's figures to ``$RELIABILITY_FIGURES``, if set."""
    record(
        scenario,
        requests=result.requests,
        failed=result.failed,
        p50_ms=result.percentile_ms(50),
        p99_ms=result.p99_ms,
        max_ms=result.percentile_ms(100),
        **extra,
    )


def record(scenario: str, **figures: object) -> None:
    """Append any scenario's figures to ``$RELIABILITY_FIGURES``, if set."""
    path = os.environ.get("RELIABILITY_FIGURES")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as figures_file:
        figures_file.write(json.dumps({"scenario": scenario, **figures}) + "\n")
