"""Where a request's time goes, without HTTP: call the ASGI app directly and time each path.

    uv run python bench/inprocess.py                 # ms per request for each path
    uv run python bench/inprocess.py --profile post  # and cProfile's top functions for one path
    uv run python bench/inprocess.py --config production >/dev/null  # as deployed (table: stderr)
    uv run python bench/inprocess.py --without-token-memo  # PyJWT on every request (lesson 17)
    uv run python bench/inprocess.py --config production --set cache_near_ttl_seconds=0  # a setting

wrk (run_bench.py) measures what a client sees, but on two cores the client, the server and the
rest of the machine share the CPU, so its numbers move from run to run. Calling the app with a
hand-made ASGI scope measures only the app's own work: the middleware stack, routing, dependency
resolution and the handler. That is the number to lower, and this script shows which function
to lower it in.
"""

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from reference_app.auth.verified_tokens import VerifiedTokens
from reference_app.core.config import Settings
from reference_app.main import create_app
from reference_app.services import services_of

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from bare_app import app as bare_app  # noqa: E402  (sibling files, not a package)
from route_floor_app import app as route_floor_app  # noqa: E402
from run_bench import (  # noqa: E402
    METRICS_TOKEN,
    NEVER_REACHED,
    REDIS_URL,
    SECRET,
    USER,
    database,
)

Call = Callable[[], Awaitable[int]]


def asgi_get(app: Any, path: str, headers: dict[str, str] | None = None) -> Call:
    """A function that sends one GET to ``app`` and returns the status code."""
    raw_headers = [(b"host", b"bench")] + [
        (key.lower().encode(), value.encode()) for key, value in (headers or {}).items()
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def call() -> int:
        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope, headers=list(raw_headers), state={}), receive, send)
        return status

    return call


async def time_per_call(call: Call, count: int) -> float:
    """CPU milliseconds per call, after a warm-up; every call must answer 200.

    CPU time of this process (``process_time``, which includes the database driver's thread),
    not wall time: other work on the machine then barely moves the figure.
    """
    for _ in range(50):
        status = await call()
        assert status == 200, f"answered {status}"
    started = time.process_time()
    for _ in range(count):
        await call()
    return (time.process_time() - started) * 1000 / count


async def seed(app: FastAPI) -> tuple[str, str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
        signup = await client.post("/auth/signup", json=USER)
        token = signup.json()["tokens"]["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        post = await client.post(
            "/posts",
            headers=auth,
            json={"title": "Benchmark", "content": "x" * 500, "published": True},
        )
        for number in range(19):
            await client.post(
                "/posts", headers=auth, json={"title": f"Post {number}", "published": True}
            )
        return token, post.json()["id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="requests per path")
    parser.add_argument("--profile", help="profile this path name (see the table)")
    parser.add_argument("--rate-limit", action="store_true", help="switch the limiter on")
    parser.add_argument(
        "--without-token-memo",
        action="store_true",
        help="verify every access token with PyJWT, as before auth/verified_tokens.py (lesson 17)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override one setting, e.g. --set log_level=WARNING (no access line) or "
        "--set cache_near_ttl_seconds=0 (no near cache); repeat for several",
    )
    parser.add_argument(
        "--config",
        choices=["test", "production"],
        default="test",
        help="test: SQLite, no Redis, WARNING logs; production: as run_bench.py's production "
        "(PostgreSQL, Redis, limits on, metrics, the JSON access log on stdout)",
    )
    args = parser.parse_args()
    # The database is made and dropped outside the event loop (run_bench's helper runs its own).
    with database(args.config == "production") as url:
        return asyncio.run(measure(args, url))


async def measure(args: argparse.Namespace, url: str) -> int:
    with tempfile.TemporaryDirectory() as directory:
        values: dict[str, object] = {
            "environment": "test",
            "database_url": url,
            "auto_migrate": True,
            "log_level": "WARNING",
            "rate_limit_enabled": args.rate_limit,
            "rate_limit_default": NEVER_REACHED,
        }
        if args.config == "production":
            values = {
                "environment": "production",
                "database_url": url,
                "auto_migrate": True,
                "secret_key": SECRET,
                "cors_origins": ["https://app.example.com"],
                "metrics_bearer_token": METRICS_TOKEN,
                "redis_url": REDIS_URL,
                "redis_key_prefix": f"bench-inprocess-{Path(directory).name}:",
                "rate_limit_default": NEVER_REACHED,
                "rate_limit_auth_per_ip": NEVER_REACHED,
                "rate_limit_auth_per_account": NEVER_REACHED,
                "rate_limit_posts_per_author": NEVER_REACHED,
            }
        for override in args.set:
            field, _, value = override.partition("=")
            values[field] = value
        settings = Settings.model_validate(values)
        app = create_app(settings)
        if args.without_token_memo:  # a memo that forgets each token at once
            services_of(app).verified_tokens = VerifiedTokens(settings, max_entries=0)
        async with LifespanManager(app):
            token, post_id = await seed(app)
            auth = {"Authorization": f"Bearer {token}"}
            paths = {
                "bare": asgi_get(bare_app, "/"),
                "floor": asgi_get(route_floor_app, f"/api/v1/posts/{post_id}"),
                "live": asgi_get(app, "/api/v1/health/live"),
                "post": asgi_get(app, f"/api/v1/posts/{post_id}"),
                "list": asgi_get(app, "/api/v1/posts"),
                "me": asgi_get(app, "/api/v1/users/me", auth),
            }
            # stderr: in production the access log takes stdout, one JSON line per request.
            print(f"{args.config}:\n| path | CPU ms per request |\n|---|---:|", file=sys.stderr)
            for name, call in paths.items():
                milliseconds = await time_per_call(call, args.count)
                print(f"| {name} | {milliseconds:.3f} |", file=sys.stderr)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await time_per_call(paths[args.profile], args.count)
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("tottime").print_stats(25)  # what is busy
                stats.sort_stats("cumulative").print_stats(45)  # and what made it busy
    return 0


if __name__ == "__main__":
    sys.exit(main())
