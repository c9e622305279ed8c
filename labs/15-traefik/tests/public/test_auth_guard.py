"""Lab 15, public tests: run them with ``workbook lab check 15``."""

from collections.abc import Callable
from typing import Any

import httpx

LIMIT = 5  # requests at once per client address, then 5 a minute


def test_traefik_loads_your_router_and_middleware(edge: Any) -> None:
    """Define a router named `auth` and a middleware named `auth-rate-limit` under `http:`;
    Traefik must list both as enabled, and the router must use the middleware."""
    rawdata = edge.rawdata()
    router = rawdata["routers"].get("auth@file")
    assert router is not None, f"no router `auth`: Traefik has {sorted(rawdata['routers'])}"
    middleware = rawdata["middlewares"].get("auth-rate-limit@file")
    assert middleware is not None, "no middleware `auth-rate-limit`"
    for name, item in [("router auth", router), ("middleware auth-rate-limit", middleware)]:
        assert item["status"] == "enabled", f"{name}: {item.get('error')}"
    used = [name.removesuffix("@file") for name in router.get("middlewares", [])]
    assert "auth-rate-limit" in used, f"the router's middlewares are {used}"
    service = router["service"].removesuffix("@file")
    assert service == "reference-app", f"the router sends to {service}"


def test_the_sixth_auth_request_in_a_minute_is_refused_at_the_edge(
    edge: Any, refresh: Callable[[httpx.Client], httpx.Response]
) -> None:
    """rateLimit with average 5, period 1m and burst 5: five requests from one address pass
    (the app answers them, here 401 for a made-up token); the sixth gets Traefik's own 429,
    plain text."""
    client = edge.client("127.0.1.1")
    responses = [refresh(client) for _ in range(LIMIT + 1)]
    statuses = [response.status_code for response in responses]
    assert statuses == [401] * LIMIT + [429], f"six refreshes from one address got {statuses}"
    assert responses[-1].text.strip() == "Too Many Requests", "not Traefik's 429"


def test_the_rest_of_the_api_is_not_limited_by_it(edge: Any) -> None:
    """The router's rule matches the auth API only (Host and PathPrefix /api/v1/auth/): any
    other path keeps the workbook's `reference-app` router and its much higher limit."""
    client = edge.client("127.0.1.2")
    statuses = [client.get("/api/v1/health/live").status_code for _ in range(3 * LIMIT)]
    assert statuses == [200] * (3 * LIMIT), f"15 health checks got {statuses}"
    routers = {name for name, item in edge.rawdata()["routers"].items() if item.get("using")}
    assert "reference-app@file" in routers
