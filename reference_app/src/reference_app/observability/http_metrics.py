"""Count, time and track every HTTP request: ``http_requests_total`` and its companions."""

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_app.observability.database_pools import DATABASE_POOLS
from reference_app.observability.metrics import (
    HTTP_REQUEST_DURATION,
    HTTP_REQUESTS,
    HTTP_REQUESTS_IN_PROGRESS,
    MULTIPROCESS_DIR,
    RATE_LIMITED_REQUESTS,
)
from reference_app.observability.route_templates import RouteTemplates, method_label


class MetricsMiddleware:
    """Count, time and track every HTTP request by method, route template and status.

    Pure ASGI (see :mod:`reference_app.web.middleware`). It sits outside the rate limiter, so a
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
