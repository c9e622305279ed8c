"""The app's Prometheus metrics: every name and label it exports, defined in one place.

The names and labels are a contract with the alerts and the dashboard in
``infrastructure/observability`` (its README lists them; its tests reject a query using anything
else). Every metric is defined here, including the job metrics the Celery workers increment.
The rest of the package records and serves them:

- :mod:`~reference_app.observability.http_metrics` counts and times every request;
- :mod:`~reference_app.observability.route_templates` turns a request into its ``route`` label;
- :mod:`~reference_app.observability.database_pools` reads the connection pools when scraped;
- :mod:`~reference_app.observability.metrics_endpoint` serves ``GET /metrics``.

**One process or several.** By default the metrics live in this process's memory (the API runs
one uvicorn process per container; Prometheus scrapes every replica). With several worker
processes (``uvicorn --workers N``, gunicorn), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory before the processes start: prometheus-client then keeps each process's values in
files there, and ``/metrics`` adds them up (gauges as the sum over live processes).
"""

import os
from typing import Final

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

MULTIPROCESS_DIR: Final = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
"""Read once, like prometheus-client itself, which picks its storage when first imported."""

# No ``*_created`` series next to every counter and histogram: nothing here reads them, and
# each would be one more series to store.
disable_created_metrics()  # type: ignore[no-untyped-call]

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
