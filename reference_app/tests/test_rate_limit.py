"""Rate limiting: limits, headers, the error shape, client IPs, Redis sharing and its fallback.

Each test builds its own app with small limits, so the counts start at zero. Apps use an
in-process memory storage unless a test gives them a Redis URL. The database is SQLite only:
nothing here depends on the database engine.
"""

import asyncio
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from httpx import ASGITransport, AsyncClient, Response
from limits import parse
from redis.asyncio import Redis

from reference_app.core.config import Settings
from reference_app.core.database import create_engine, upgrade_database
from reference_app.main import create_app
from reference_app.rate_limiting.client_ip import client_ip, parse_trusted_proxies
from reference_app.rate_limiting.limiter import AUTH_LIMITED, RateLimiter, auth_limited_keys
from reference_app.rate_limiting.window_counters import (
    MemoryWindowCounter,
    RedisWindowCounter,
    WindowCounter,
)
from reference_app.services import services_of
from reference_app.testing import settings_for_tests
from tests.conftest import TEST_REDIS_URL
from tests.support import DEFAULT_PASSWORD, error_code, free_port, sign_up

CLIENT_IP = "203.0.113.7"
REDIS_URL = TEST_REDIS_URL
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture(scope="module")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rate_limit") / "template.db"
    engine = create_engine(settings_for_tests(f"sqlite+aiosqlite:///{path}"))
    await upgrade_database(engine)
    await engine.dispose()
    return path


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database (shadows conftest's SQLite + PostgreSQL fixture)."""
    copy = tmp_path / "test.db"
    shutil.copyfile(sqlite_template, copy)
    return f"sqlite+aiosqlite:///{copy}"


@asynccontextmanager
async def running_app(database_url: str, **settings: Any) -> AsyncIterator[FastAPI]:
    app = create_app(settings_for_tests(database_url, **settings))
    async with LifespanManager(app):
        yield app


@asynccontextmanager
async def two_instances(
    database_url: str, redis_prefix: str, **limits: Any
) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    """Two apps counting in one Redis, as two replicas behind a load balancer."""
    settings = {"redis_url": REDIS_URL, "redis_key_prefix": redis_prefix, **limits}
    async with (
        running_app(database_url, **settings) as first,
        running_app(database_url, **settings) as second,
    ):
        yield first, second


async def call(
    app: FastAPI, method: str, path: str, *, ip: str = CLIENT_IP, **kwargs: Any
) -> Response:
    """One request from the client address ``ip`` (the socket peer the app sees)."""
    transport = ASGITransport(app=app, client=(ip, 1234))
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.request(method, path, **kwargs)


async def login(app: FastAPI, email: str, password: str, *, ip: str = CLIENT_IP) -> Response:
    return await call(
        app, "POST", "/api/v1/auth/login", ip=ip, json={"email": email, "password": password}
    )


async def signup(app: FastAPI, *, ip: str = CLIENT_IP) -> Response:
    body = {"email": f"user-{uuid.uuid4().hex[:10]}@example.com", "password": DEFAULT_PASSWORD}
    return await call(app, "POST", "/api/v1/auth/signup", ip=ip, json=body)


async def statuses(app: FastAPI, count: int, path: str, **kwargs: Any) -> list[int]:
    return [(await call(app, "GET", path, **kwargs)).status_code for _ in range(count)]


# --- Limits, headers and the error shape ------------------------------------------------------


async def test_default_limit_answers_429_in_the_error_shape(database_url: str) -> None:
    async with running_app(database_url, rate_limit_default="5/minute") as app:
        allowed = [await call(app, "GET", "/api/v1/no-such-page") for _ in range(5)]
        limited = await call(app, "GET", "/api/v1/no-such-page")
        other_client = await call(app, "GET", "/api/v1/no-such-page", ip="198.51.100.1")

    # 404s count too: the limit applies before routing.
    assert [response.status_code for response in allowed] == [404] * 5
    assert [response.headers["RateLimit-Remaining"] for response in allowed] == [
        "4",
        "3",
        "2",
        "1",
        "0",
    ]
    assert all(response.headers["RateLimit-Limit"] == "5" for response in allowed)
    assert 0 < int(allowed[0].headers["RateLimit-Reset"]) <= 60

    assert limited.status_code == 429
    assert error_code(limited) == "RATE_LIMITED"
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 60
    assert limited.headers["RateLimit-Limit"] == "5"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert limited.headers["RateLimit-Reset"] == str(retry_after)
    error = limited.json()["error"]
    assert error["details"] == {"limit": "5 per 1 minute", "retry_after": retry_after}
    # Inside the other middleware: a request id and the security headers, like every response.
    assert error["request_id"] in limited.headers.get_list("X-Request-ID")
    assert limited.headers["X-Content-Type-Options"] == "nosniff"

    assert other_client.status_code == 404  # limits are per client


async def test_window_slides_instead_of_resetting(database_url: str) -> None:
    """A request counts for exactly one window after it was made (the moving window)."""
    async with running_app(database_url, rate_limit_default="3/2 seconds") as app:
        assert await statuses(app, 2, "/api/v1/nope") == [404, 404]
        first_two_made = time.monotonic()
        await _sleep_until(first_two_made + 1.0)
        assert await statuses(app, 2, "/api/v1/nope") == [404, 429]
        # The first two requests have left the window; the third (made 1 s later) has not.
        await _sleep_until(first_two_made + 2.1)
        assert await statuses(app, 3, "/api/v1/nope") == [404, 404, 429]
        assert time.monotonic() < first_two_made + 3.0, "too slow to tell the windows apart"


async def _sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


# --- Login and signup -------------------------------------------------------------------------


async def test_login_is_limited_per_account_whatever_the_ip(database_url: str) -> None:
    async with running_app(
        database_url, rate_limit_auth_per_account="3/minute", rate_limit_auth_per_ip="100/minute"
    ) as app:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
            victim = await sign_up(http)
            bystander = await sign_up(http)
        guesses = [
            await login(app, victim.email, "wrong password", ip=f"198.51.100.{n}") for n in range(3)
        ]
        # The right password, another IP, the email in capitals: still the same account.
        blocked = await login(app, victim.email.upper(), victim.password, ip="192.0.2.1")
        other_account = await login(app, bystander.email, bystander.password, ip="192.0.2.1")

    assert [error_code(response) for response in guesses] == ["INVALID_CREDENTIALS"] * 3
    assert blocked.status_code == 429
    assert error_code(blocked) == "RATE_LIMITED"
    assert blocked.headers["RateLimit-Limit"] == "3"  # the account's limit, not the IP's
    assert blocked.json()["error"]["details"]["limit"] == "3 per 1 minute"
    assert int(blocked.headers["Retry-After"]) > 0
    assert other_account.status_code == 200


async def write_post(app: FastAPI, author: Any, *, ip: str) -> Response:
    body = {"title": "A post", "content": "Body.", "published": True}
    return await call(app, "POST", "/api/v1/posts", ip=ip, json=body, headers=author.headers)


async def post_count(app: FastAPI) -> int:
    response = await call(app, "GET", "/api/v1/posts", ip="192.0.2.99")
    total: int = response.json()["total"]
    return total


async def test_posts_are_limited_per_author_whatever_the_ip(database_url: str) -> None:
    async with running_app(database_url, rate_limit_posts_per_author="2/minute") as app:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
            author = await sign_up(http)
            other = await sign_up(http)
        written = [await write_post(app, author, ip=f"198.51.100.{n}") for n in range(3)]
        other_author = await write_post(app, other, ip="198.51.100.1")
        total = await post_count(app)

    assert [response.status_code for response in written] == [201, 201, 429]
    assert written[0].headers["RateLimit-Limit"] == "2"  # the author's limit, not the address's
    assert written[1].headers["RateLimit-Remaining"] == "0"
    assert error_code(written[2]) == "RATE_LIMITED"
    assert int(written[2].headers["Retry-After"]) > 0
    assert other_author.status_code == 201
    assert total == 3  # the refused post was not written


async def test_instances_sharing_redis_share_one_limit_per_author(
    database_url: str, redis_prefix: str
) -> None:
    async with two_instances(
        database_url, redis_prefix, rate_limit_posts_per_author="3/minute"
    ) as (first, second):
        async with AsyncClient(transport=ASGITransport(app=first), base_url="http://t") as http:
            author = await sign_up(http)
        results = []
        for _ in range(2):
            results.append((await write_post(first, author, ip="198.51.100.1")).status_code)
            results.append((await write_post(second, author, ip="198.51.100.2")).status_code)

    assert results == [201, 201, 201, 429]  # three in total across both instances


async def test_signup_is_limited_per_ip_with_its_own_count(database_url: str) -> None:
    async with running_app(
        database_url, rate_limit_auth_per_ip="2/minute", rate_limit_default="100/minute"
    ) as app:
        results = [(await signup(app)).status_code for _ in range(3)]
        limited = await signup(app)
        from_elsewhere = await signup(app, ip="198.51.100.1")
        other_endpoint = await call(app, "GET", "/api/v1/posts")

    assert results == [201, 201, 429]
    assert limited.headers["RateLimit-Limit"] == "2"
    assert from_elsewhere.status_code == 201
    # The default limit is counted separately, so ordinary requests still pass.
    assert other_endpoint.status_code == 200
    assert other_endpoint.headers["RateLimit-Limit"] == "100"


async def test_override_matches_the_route_template_not_the_path(database_url: str) -> None:
    overrides = {"GET /api/v1/posts/{post_id}": "2/minute"}
    async with running_app(database_url, rate_limit_overrides=overrides) as app:
        # Three different paths, one route: the third is over the route's limit.
        posts = [await call(app, "GET", f"/api/v1/posts/{uuid.uuid4()}") for _ in range(3)]
        listing = await call(app, "GET", "/api/v1/posts")

    assert [response.status_code for response in posts] == [404, 404, 429]
    assert posts[0].headers["RateLimit-Limit"] == "2"
    assert listing.status_code == 200
    assert listing.headers["RateLimit-Limit"] == "100"


async def test_an_explicit_override_beats_the_built_in_auth_limit(database_url: str) -> None:
    async with running_app(
        database_url,
        rate_limit_auth_per_ip="20/minute",
        rate_limit_overrides={"post /api/v1/auth/signup": "1/minute"},
    ) as app:
        results = [(await signup(app)).status_code for _ in range(2)]

    assert results == [201, 429]


def test_the_first_matching_endpoint_limit_wins() -> None:
    limiter = RateLimiter(
        MemoryWindowCounter(),
        overrides={"GET /api/v1/users/me": "1/minute", "GET /api/v1/users/{user_id}": "2/minute"},
    )

    assert limiter.limit_for("GET", "/api/v1/users/me") == (
        "GET /api/v1/users/me",
        parse("1/minute"),
    )
    assert limiter.limit_for("GET", "/api/v1/users/42") == (
        "GET /api/v1/users/{user_id}",
        parse("2/minute"),
    )
    # A parameter is one path segment, and the method must match.
    assert limiter.limit_for("GET", "/api/v1/users/42/posts")[0] == "default"
    assert limiter.limit_for("DELETE", "/api/v1/users/42")[0] == "default"


def test_auth_limits_follow_the_routes_that_declare_them_wherever_they_are_mounted() -> None:
    """Routes carry their mark, so a new prefix keeps login throttled (a list of paths kept in
    the limiter would have silently dropped it)."""
    router = APIRouter(prefix="/auth")

    @router.post("/login", openapi_extra=AUTH_LIMITED)
    async def login() -> None: ...

    @router.get("/providers")
    async def providers() -> None: ...

    assert auth_limited_keys([router], "/api/v2") == ["POST /api/v2/auth/login"]
    limiter = RateLimiter.from_settings(
        settings_for_tests("sqlite+aiosqlite://", rate_limit_auth_per_ip="4/minute"),
        None,
        auth_routes=auth_limited_keys([router], "/api/v2"),
    )
    assert limiter.limit_for("POST", "/api/v2/auth/login") == (
        "POST /api/v2/auth/login",
        parse("4/minute"),
    )
    assert limiter.limit_for("GET", "/api/v2/auth/providers")[0] == "default"


async def test_every_endpoint_that_checks_a_secret_is_marked_in_the_openapi_document(
    database_url: str,
) -> None:
    async with running_app(database_url) as app:
        document = app.openapi()
    marked = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("x-rate-limit") == "auth"
    }

    assert marked == {
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/signup",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/confirm",
        "PATCH /api/v1/users/{user_id}",
    }
    assert marked == {endpoint.key for endpoint in services_of(app).rate_limiter.endpoint_limits}


# --- Exemptions and the off switch ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/health", "/api/v1/health/live", "/api/v1/health/ready", "/openapi.json", "/docs"],
)
async def test_probes_and_docs_are_never_limited(database_url: str, path: str) -> None:
    async with running_app(database_url, rate_limit_default="1/minute") as app:
        responses = [await call(app, "GET", path) for _ in range(3)]
        first_api_call = await call(app, "GET", "/api/v1/posts")

    assert [response.status_code for response in responses] == [200] * 3
    assert not any(name in responses[0].headers for name in RATE_LIMIT_HEADERS)
    assert first_api_call.status_code == 200  # the probes did not use up the limit


async def test_exemptions_hold_under_a_root_path(database_url: str) -> None:
    """Behind a proxy that mounts the app under a prefix, the probes are still exempt."""
    async with running_app(database_url, rate_limit_default="1/minute") as app:
        transport = ASGITransport(app=app, root_path="/service", client=(CLIENT_IP, 1234))
        async with AsyncClient(transport=transport, base_url="http://test") as http:
            probes = [await http.get("/service/api/v1/health/live") for _ in range(2)]
            pages = [await http.get("/service/api/v1/posts") for _ in range(2)]

    assert [response.status_code for response in probes] == [200, 200]
    assert [response.status_code for response in pages] == [200, 429]


async def test_disabled_limits_nothing(database_url: str) -> None:
    async with running_app(
        database_url,
        rate_limit_enabled=False,
        rate_limit_default="1/minute",
        rate_limit_auth_per_account="1/minute",
    ) as app:
        pages = await statuses(app, 3, "/api/v1/posts")
        logins = [await login(app, "ada@example.com", "wrong") for _ in range(3)]

    assert pages == [200, 200, 200]
    assert [error_code(response) for response in logins] == ["INVALID_CREDENTIALS"] * 3
    assert "RateLimit-Limit" not in logins[0].headers


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate_limit_default": "lots"}, "couldn't parse rate limit string"),
        ({"rate_limit_overrides": {"GET /x": "1/fortnight"}}, "no granularity matched"),
        ({"rate_limit_overrides": {"/api/v1/posts": "1/minute"}}, "must look like"),
        ({"trusted_proxies": ["10.0.0.0/33"]}, "does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_a_malformed_setting_stops_the_app_at_start_up(
    database_url: str, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_app(settings_for_tests(database_url, **settings))


# --- Client IP behind proxies -----------------------------------------------------------------

TRUSTED = parse_trusted_proxies(["10.0.0.0/8", "fd00::1"])


def _scope(peer: str | None, *forwarded_for: str) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    return {"type": "http", "client": (peer, 1234) if peer else None, "headers": headers}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        pytest.param(_scope("203.0.113.7", "198.51.100.1"), "203.0.113.7", id="untrusted-peer"),
        pytest.param(_scope("10.0.0.5", "198.51.100.1"), "198.51.100.1", id="trusted-peer"),
        pytest.param(_scope("fd00::1", "2001:db8::5"), "2001:db8::5", id="ipv6"),
        pytest.param(
            _scope("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.9"),
            "198.51.100.1",
            id="right-most-untrusted",
        ),
        pytest.param(
            _scope("10.0.0.5", "6.6.6.6", "198.51.100.1"), "198.51.100.1", id="several-headers"
        ),
        pytest.param(_scope("10.0.0.5", "10.0.0.1, 10.0.0.2"), "10.0.0.1", id="all-trusted"),
        pytest.param(_scope("10.0.0.5"), "10.0.0.5", id="no-header"),
        pytest.param(_scope("10.0.0.5", "not-an-ip"), "10.0.0.5", id="malformed"),
        pytest.param(_scope("10.0.0.5", "198.51.100.1, 1.2.3"), "10.0.0.5", id="partly-malformed"),
        pytest.param(_scope("10.0.0.5", ""), "10.0.0.5", id="empty"),
        pytest.param(_scope("testclient", "198.51.100.1"), "testclient", id="peer-not-an-ip"),
        pytest.param(_scope(None, "198.51.100.1"), "unknown", id="no-peer"),
    ],
)
def test_client_ip(scope: dict[str, Any], expected: str) -> None:
    assert client_ip(scope, TRUSTED) == expected


def test_client_ip_ignores_the_header_when_no_proxy_is_trusted() -> None:
    assert client_ip(_scope("10.0.0.5", "198.51.100.1"), ()) == "10.0.0.5"


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(database_url: str) -> None:
    async with running_app(
        database_url, rate_limit_default="2/minute", trusted_proxies=["10.0.0.0/8"]
    ) as app:

        async def via(peer: str, forwarded_for: str) -> int:
            headers = {"X-Forwarded-For": forwarded_for}
            response = await call(app, "GET", "/api/v1/nope", ip=peer, headers=headers)
            return response.status_code

        # Through our proxy, each forwarded client has its own count.
        through_proxy = [await via("10.0.0.5", f"198.51.100.{n}") for n in range(3)]
        same_client = [await via("10.0.0.5", "198.51.100.9") for _ in range(3)]
        # Straight from the internet, a changing header does not make a new client.
        spoofed = [await via(CLIENT_IP, f"192.0.2.{n}") for n in range(3)]
        # A malformed header from the proxy counts against the proxy's own address.
        malformed = [await via("10.0.0.6", "garbage") for _ in range(3)]

    assert through_proxy == [404, 404, 404]
    assert same_client == [404, 404, 429]
    assert spoofed == [404, 404, 429]
    assert malformed == [404, 404, 429]


async def test_guessing_the_current_password_on_a_profile_change_is_limited(
    database_url: str,
) -> None:
    """PATCH /users/{id} checks the current password: it gets the auth limit per IP."""
    async with running_app(database_url, rate_limit_auth_per_ip="2/minute") as app:
        account = (await signup(app)).json()
        user_id, token = account["user"]["id"], account["tokens"]["access_token"]

        async def guess(number: int) -> Response:
            body = {"password": "a brand new passphrase", "current_password": f"guess {number}"}
            headers = {"Authorization": f"Bearer {token}"}
            return await call(app, "PATCH", f"/api/v1/users/{user_id}", json=body, headers=headers)

        answers = [await guess(number) for number in range(3)]
    assert [response.status_code for response in answers] == [403, 403, 429]
    assert error_code(answers[-1]) == "RATE_LIMITED"


# --- Redis: one limit across instances, and the fallback --------------------------------------


async def test_the_redis_counter_agrees_with_the_in_process_one(redis_prefix: str) -> None:
    """The hand-written script counts a moving window exactly as ``limits`` does."""
    redis = Redis.from_url(REDIS_URL)
    counters: dict[str, WindowCounter] = {
        "redis": RedisWindowCounter(redis, redis_prefix),
        "memory": MemoryWindowCounter(),
    }
    limit = parse("3/2 seconds")
    seen: dict[str, list[tuple[bool, int]]] = {name: [] for name in counters}
    try:
        for round_ in range(2):  # the second round starts after the first has left the window
            if round_:
                await asyncio.sleep(2.2)
            for _ in range(5):
                for name, counter in counters.items():
                    count = await counter.hit(limit, ("default", CLIENT_IP))
                    assert 1 <= count.reset_after <= 2
                    seen[name].append((count.allowed, count.remaining))
    finally:
        await redis.aclose()

    one_round = [(True, 2), (True, 1), (True, 0), (False, 0), (False, 0)]
    assert seen["memory"] == one_round * 2
    assert seen["redis"] == seen["memory"]


async def test_the_redis_counter_answers_in_one_round_trip(redis_prefix: str) -> None:
    """Hit, window and reset from one EVALSHA: ``limits`` needed two scripts for them."""
    redis = Redis.from_url(REDIS_URL)
    counter = RedisWindowCounter(redis, redis_prefix)
    limit = parse("100/minute")
    try:
        await counter.hit(limit, ("default", "warm-up"))  # loads the script into Redis once
        before = await redis.info("commandstats")
        for number in range(20):
            await counter.hit(limit, ("default", f"client-{number % 3}"))
        after = await redis.info("commandstats")
    finally:
        await redis.aclose()

    def calls(stats: dict[str, Any], command: str) -> int:
        return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))

    assert calls(after, "evalsha") - calls(before, "evalsha") == 20
    assert calls(after, "eval") == calls(before, "eval")


async def test_instances_sharing_redis_share_one_limit(
    database_url: str, redis_prefix: str
) -> None:
    async with two_instances(database_url, redis_prefix, rate_limit_default="4/minute") as (
        first,
        second,
    ):
        results = []
        for _ in range(3):
            results.append((await call(first, "GET", "/api/v1/nope")).status_code)
            results.append((await call(second, "GET", "/api/v1/nope")).status_code)
        redis = services_of(first).redis
        assert redis is not None
        keys = [key async for key in redis.scan_iter(match=f"{redis_prefix}*")]

    # Four in total across both instances, not four each.
    assert results == [404, 404, 404, 404, 429, 429]
    assert keys
    assert all(key.decode().startswith(f"{redis_prefix}ratelimit:") for key in keys)


async def test_limits_hold_in_process_when_redis_is_down(database_url: str) -> None:
    """Nothing listens on the port: requests are counted in this process, never unlimited."""
    async with running_app(
        database_url,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        rate_limit_default="2/minute",
        rate_limit_auth_per_account="1/minute",
    ) as app:
        pages = [await call(app, "GET", "/api/v1/nope") for _ in range(3)]
        logins = [await login(app, "ada@example.com", "wrong") for _ in range(2)]
        health = (await call(app, "GET", "/api/v1/health")).json()

    assert [response.status_code for response in pages] == [404, 404, 429]
    assert pages[0].headers["RateLimit-Limit"] == "2"
    # Password guessing stays limited during the outage.
    assert [error_code(response) for response in logins] == ["INVALID_CREDENTIALS", "RATE_LIMITED"]
    assert health["components"]["rate_limit"]["status"] == "down"
    assert health["components"]["rate_limit"]["error"] == "RateLimitFallbackError"


async def test_limits_return_to_redis_when_it_answers_again(redis_settings: Settings) -> None:
    app = create_app(redis_settings.model_copy(update={"rate_limit_default": "100/minute"}))
    async with LifespanManager(app):
        limiter = services_of(app).rate_limiter
        limiter.using_fallback = True  # as after an outage
        assert await limiter.hit(limiter.default, "bucket", "client") is not None
        assert limiter.using_fallback is False
        await limiter.check_shared_storage()  # healthy again: does not raise


async def test_per_account_keys_in_redis_do_not_contain_the_email(
    redis_settings: Settings,
) -> None:
    """Limiter keys are readable by anyone with Redis access: no personal data in them."""
    app = create_app(redis_settings)
    email = "private.person@example.com"
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": "wrong password"}
        )
        assert response.status_code == 401
    inspector = Redis.from_url(str(redis_settings.redis_url))
    keys = [
        key.decode() async for key in inspector.scan_iter(f"{redis_settings.redis_key_prefix}*")
    ]
    await inspector.aclose()
    assert any("login" in key for key in keys), keys
    assert not any(email in key or "private.person" in key for key in keys)
