"""Count, time and track every HTTP request: ``http_requests_total`` and its companions."""

import time

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
        in_progress = HTTP_REQUESTS_IN_PROGRESS.labels(method)

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
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status_code)).inc()
            HTTP_REQUEST_DURATION.labels(method=method, route=route).observe(duration)
            if status_code == 429:  # only the rate limits answer 429 (code RATE_LIMITED)
                RATE_LIMITED_REQUESTS.labels(route=route).inc()
            if MULTIPROCESS_DIR is not None:
                DATABASE_POOLS.sample()
