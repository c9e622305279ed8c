"""Benchmark the reference app against a bare FastAPI app, with wrk, on loopback.

    uv run python bench/run_bench.py                     # production, then test mode
    uv run python bench/run_bench.py --config production # only the configuration teams deploy
    uv run python bench/run_bench.py --config test       # test mode on SQLite (--postgres: PG)

Two configurations, each a set of rows in bench/RESULTS.md:

- **production** (first, the one that counts): ``APP_ENVIRONMENT=production`` on the machine's
  PostgreSQL (a database of its own), Redis (127.0.0.1:6379, a key prefix of its own) for the
  cache, the rate limits and the job queue, rate limiting on with limits raised so that nothing
  is refused (one wrk client is one IP), metrics on, JSON access log at INFO (to a file). For
  each scenario it also counts the commands the app sends Redis for one request (round trips,
  read from ``MONITOR``).
- **test**: ``APP_ENVIRONMENT=test`` on SQLite, no Redis, rate limiting off, WARNING logs: what
  the earlier rounds measured, kept for comparison.

Both apps run under uvicorn with one worker and no uvicorn access log: the bare app on uvicorn's
default event loop (uvloop, the fastest: the ceiling the ratios are taken against, and once more
on asyncio for comparison), the reference app on the loop its ``serve`` command uses (asyncio;
see ``SERVER_LOOP`` in ``reference_app/cli.py`` and ``loop_fairness.py``). Before the reference
app, ``route_floor_app.py`` runs on that same loop: the route shape of ``GET /posts/{id}`` on
FastAPI with none of the app's work, the most that route can do here. Each scenario runs wrk
for a fixed time at 64 connections; a run at 1000 connections counts errors; the logins run
last. Before every scenario the bare app (uvloop) is measured again, and the scenario's ratio is
taken against that run, seconds old: on a shared machine the speed moves within minutes, so one
baseline for the whole run would not do; the report says how far the bare runs spread.
"""

import argparse
import asyncio
import datetime as dt
import functools
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families

from reference_app.cli import SERVER_LOOP

BENCH_DIR = Path(__file__).resolve().parent
USER = {"email": "bench@example.com", "password": "benchmark password"}
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
METRICS_TOKEN = "benchmark-metrics-token-0123456789"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
NEVER_REACHED = "1000000/minute"
"""Rate limits on, so their cost is measured, but never refusing one wrk client (one IP): 16,667
requests a second. The moving window keeps one entry per request in its Redis list and searches
it with ``LINDEX`` inside a Lua script (about log2(limit) steps), so a larger limit would make
each check dearer than a real one (100/minute: 7 steps, this: 20)."""
TARGETS = {
    "production": {"cached_post": 0.30, "users_me": 0.25, "post_list": 0.20},
    "test": {"cached_post": 0.5, "users_me": 0.35},
}
BARE_ASYNCIO_KEY = "bare_asyncio"
FLOOR_KEY = "route_floor"
SPREAD_WARNING = 0.15
ANALYSIS_HEADING = "## Reading these numbers"


@dataclass
class WrkResult:
    name: str
    connections: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int


def raise_open_file_limit() -> None:
    """1000 connections need more than the usual 1024 open files (wrk and uvicorn inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(name: str, connections: int, output: str) -> WrkResult:
    """Read wrk's --latency report (requests/sec, percentiles, errors)."""
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        name=name,
        connections=connections,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_to_ms(percentiles["50"]),
        p90_ms=_to_ms(percentiles["90"]),
        p99_ms=_to_ms(percentiles["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        errors=errors,
    )


def run_wrk(
    name: str,
    url: str,
    *,
    connections: int = 64,
    seconds: int = 10,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> WrkResult:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    try:
        return parse_wrk(name, connections, output)
    except (KeyError, AttributeError) as exc:
        raise RuntimeError(f"could not read wrk's report for {name}:\n{output}") from exc


@contextmanager
def uvicorn_server(
    target: str,
    env: dict[str, str],
    *,
    factory: bool,
    loop: str = "auto",
    log: Path | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """Run ``target`` under uvicorn (no uvicorn access log) and yield its base URL.

    ``log``: where the server's output goes (the app's own access log, in production). With
    more than one worker, the processes share their metrics through a temporary
    ``PROMETHEUS_MULTIPROC_DIR``, as ``reference-app serve --workers N`` arranges.
    """
    port = free_port()
    metrics_dir = tempfile.TemporaryDirectory() if workers > 1 else None
    if metrics_dir is not None:
        env = {**env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir.name}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        loop,
    ]
    if factory:
        command.append("--factory")
    output = log.open("w") if log is not None else None
    process = subprocess.Popen(command, env=env, cwd=BENCH_DIR, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{target} did not start")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if metrics_dir is not None:
            metrics_dir.cleanup()
        if output is not None:
            output.close()


def app_environment(config: str, database_url: str, redis_prefix: str) -> dict[str, str]:
    common = {
        **os.environ,
        "APP_DATABASE_URL": database_url,
        "APP_SECRET_KEY": SECRET,
        "APP_AUTO_MIGRATE": "true",
    }
    if config == "test":
        return {
            **common,
            "APP_ENVIRONMENT": "test",
            "APP_RATE_LIMIT_ENABLED": "false",
            "APP_LOG_LEVEL": "WARNING",
        }
    return {
        **common,
        "APP_ENVIRONMENT": "production",
        "APP_CORS_ORIGINS": "https://app.example.com",
        "APP_METRICS_BEARER_TOKEN": METRICS_TOKEN,
        "APP_REDIS_URL": REDIS_URL,
        "APP_REDIS_KEY_PREFIX": redis_prefix,
        "APP_RATE_LIMIT_DEFAULT": NEVER_REACHED,
        "APP_RATE_LIMIT_AUTH_PER_IP": NEVER_REACHED,
        "APP_RATE_LIMIT_AUTH_PER_ACCOUNT": NEVER_REACHED,
        "APP_RATE_LIMIT_POSTS_PER_AUTHOR": NEVER_REACHED,
    }


def migrated_environment(
    config: str, database_url: str, redis_prefix: str, workers: int
) -> dict[str, str]:
    """The app's environment; with several workers, the database migrated once beforehand.

    Workers that each migrate at start-up race on an empty database, as ``reference-app serve
    --workers N`` explains: migrate first, then start them with auto-migrate off.
    """
    env = app_environment(config, database_url, redis_prefix)
    if workers > 1:
        command = [str(Path(sys.executable).with_name("reference-app")), "migrate"]
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
        env["APP_AUTO_MIGRATE"] = "false"
    return env


def seed(base: str) -> tuple[str, str]:
    """Create the benchmark user and 40 published posts; return a token and a post id."""
    with httpx.Client(base_url=base + "/api/v1", timeout=30) as client:
        token = client.post("/auth/signup", json=USER).json()["tokens"]["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        post_ids = [
            client.post(
                "/posts",
                headers=headers,
                json={"title": f"Benchmark post {n}", "content": "x" * 500, "published": True},
            ).json()["id"]
            for n in range(40)
        ]
        # Warm the caches that the cached scenarios measure.
        client.get(f"/posts/{post_ids[0]}")
        client.get("/posts")
        client.get("/users/me", headers=headers)
        return token, post_ids[0]


@contextmanager
def database(use_postgres: bool) -> Iterator[str]:
    if not use_postgres:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{directory}/bench.db"
        return
    admin = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"refapp_bench_{uuid.uuid4().hex[:8]}"
    import asyncpg

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        await connection.execute(sql)
        await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Measured:
    """One scenario, and the bare app measured just before it: the ratio's denominator."""

    result: WrkResult
    bare: WrkResult
    redis_round_trips: float | None = None
    """Redis commands the app sent per warm request of the scenario (production only)."""

    @property
    def ratio(self) -> float:
        return self.result.requests_per_second / self.bare.requests_per_second


WARM_UP_REQUESTS = 8  # with two workers, each must have answered (and cached) at least one
MEASURED_REQUESTS = 10


def redis_round_trips(prefix: str, send: Callable[[], object]) -> float:
    """How many commands the app sends Redis for a warm request: ``send()`` under ``MONITOR``.

    Requests before listening warm the caches (Redis's and each instance's near cache), so the
    count is what most requests under load pay, not a cold start's. Several of them, and the
    average of several measured ones: each ``send()`` opens a new connection, which either
    worker of several may accept, and a worker that has not answered yet would count its own
    cold start.

    Commands a Lua script runs inside Redis (the moving-window limiter's ``LINDEX`` search) are
    listed by ``MONITOR`` too, marked ``[... lua]``: they are not round trips, so they are left
    out. ``INFO commandstats`` cannot tell the two apart.
    """
    for _ in range(WARM_UP_REQUESTS):
        send()
    with tempfile.TemporaryFile("w+") as listing:
        monitor = subprocess.Popen(
            ["redis-cli", "-u", REDIS_URL, "monitor"], stdout=listing, text=True
        )
        try:
            time.sleep(0.3)  # MONITOR answers OK once it listens
            for _ in range(MEASURED_REQUESTS):
                send()
            time.sleep(0.3)  # the last command reaches the listing
        finally:
            monitor.terminate()
            monitor.wait(timeout=5)
        listing.seek(0)
        commands = sum(1 for line in listing if prefix in line and " lua]" not in line)
        return commands / MEASURED_REQUESTS


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def markdown(measured: list[Measured], *, with_redis: bool) -> str:
    redis_header = " Redis round trips |" if with_redis else ""
    lines = [
        "| scenario | connections | req/s | bare just before | x bare | p50 ms | p90 ms | p99 ms "
        f"| errors |{redis_header}",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if with_redis else ""),
    ]
    for m in measured:
        r = m.result
        redis_cell = ""
        if with_redis:
            redis_cell = " - |" if m.redis_round_trips is None else f" {m.redis_round_trips:g} |"
        lines.append(
            f"| {r.name} | {r.connections} | {r.requests_per_second:,.0f} | "
            f"{m.bare.requests_per_second:,.0f} | {m.ratio:.2f} | {r.p50_ms:.1f} | "
            f"{r.p90_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |{redis_cell}"
        )
    return "\n".join(lines)


APP_SCENARIOS_AT_64 = ("live", "cached_post", "post_list", "users_me", "users_me_8")


def verdicts(config: str, measured: dict[str, Measured]) -> list[str]:
    targets = TARGETS[config]
    names = {"cached_post": "cached GET /posts/{id}", "users_me": "GET /users/me"}
    names["post_list"] = "cached GET /posts"
    checks = [
        (f"{names[key]} >= {target:.2f}x bare", measured[key].ratio >= target)
        for key, target in targets.items()
    ]
    p99_limit = 100 if config == "production" else 200
    checks.append(
        (
            f"p99 < {p99_limit} ms at 64 connections (app scenarios but login)",
            all(
                measured[k].result.p99_ms < p99_limit for k in APP_SCENARIOS_AT_64 if k in measured
            ),
        )
    )
    c1000 = measured["c1000"].result
    if config == "production":
        checks.append(
            (
                "0 errors and p99 < 500 ms at 1000 connections",
                c1000.errors == 0 and c1000.p99_ms < 500,
            )
        )
    else:
        checks.append(
            ("0 errors and no stall at 1000 connections", c1000.errors == 0 and c1000.requests > 0)
        )
    lines = [f"- {'PASS' if ok else 'FAIL'}: {label}" for label, ok in checks]
    bare_runs = [m.bare.requests_per_second for m in measured.values()]
    spread = (max(bare_runs) - min(bare_runs)) / max(bare_runs)
    lines.append(
        "- each x bare is against the bare app (uvloop) measured just before that scenario; "
        f"its {len(bare_runs)} runs ranged from {min(bare_runs):,.0f} to "
        f"{max(bare_runs):,.0f} req/s ({spread:.0%} apart)"
        + (": the machine's speed moved during the run" if spread > SPREAD_WARNING else "")
    )
    return lines


Measure = Callable[..., Measured]


def measure_app(measure: Measure, base: str) -> dict[str, Measured]:
    """Seed the app at ``base``, then run every scenario against it."""
    token, post_id = seed(base)
    auth = {"Authorization": f"Bearer {token}"}
    api = base + "/api/v1"
    measured = {
        "live": measure("GET /health/live", f"{api}/health/live"),
        "cached_post": measure("GET /posts/{id} (cached)", f"{api}/posts/{post_id}"),
        "post_list": measure("GET /posts (20, cached)", f"{api}/posts"),
        "users_me": measure("GET /users/me (auth)", f"{api}/users/me", headers=auth),
        "users_me_8": measure(
            "GET /users/me (auth)", f"{api}/users/me", headers=auth, connections=8
        ),
        "c1000": measure("GET /posts/{id} (cached)", f"{api}/posts/{post_id}", connections=1000),
    }
    # Last: when wrk stops, the logins it gave up on are still queued for Argon2, and they
    # would take the CPU from whatever ran next.
    measured["login"] = measure(
        "POST /auth/login", f"{api}/auth/login", script=BENCH_DIR / "login.lua"
    )
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        choices=["both", "production", "test"],
        default="both",
        help="which configuration to measure (default: production, then test mode)",
    )
    parser.add_argument(
        "--postgres", action="store_true", help="test mode on PostgreSQL instead of SQLite"
    )
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes for the reference app"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    raise_open_file_limit()
    configs = ["production", "test"] if args.config == "both" else [args.config]
    seconds = args.seconds
    sections: list[str] = []
    # The bare apps and the route floor are started first and stay up; the ones not being
    # measured sit idle (the reference app used 0.04 s of CPU in 10 idle seconds).
    with (
        uvicorn_server("bare_app:app", dict(os.environ), factory=False) as bare,
        uvicorn_server(
            "bare_app:app", dict(os.environ), factory=False, loop="asyncio"
        ) as bare_asyncio,
        uvicorn_server(
            "route_floor_app:app", dict(os.environ), factory=False, loop=SERVER_LOOP.value
        ) as floor,
        tempfile.TemporaryDirectory() as logs,
    ):

        def measure(
            name: str,
            url: str,
            *,
            connections: int = 64,
            headers: dict[str, str] | None = None,
            script: Path | None = None,
            redis_prefix: str | None = None,
        ) -> Measured:
            """The bare app, then the scenario: on a shared machine the speed moves within
            minutes, so each ratio is taken against a bare run seconds old."""
            baseline = run_wrk("bare FastAPI baseline (uvloop)", bare + "/", seconds=seconds)
            round_trips = None
            if redis_prefix is not None and script is None:
                # Before wrk: afterwards the app is still answering the requests wrk gave up on.

                def one_request() -> object:
                    return httpx.get(url, headers=headers, timeout=10)

                round_trips = redis_round_trips(redis_prefix, one_request)
            result = run_wrk(
                name,
                url,
                connections=connections,
                seconds=seconds,
                headers=headers,
                script=script,
            )
            return Measured(result, baseline, round_trips)

        references = {
            BARE_ASYNCIO_KEY: measure("bare FastAPI baseline (asyncio)", bare_asyncio + "/"),
            FLOOR_KEY: measure(
                "FastAPI alone, GET /posts/{id}'s shape (route_floor_app.py)",
                f"{floor}/api/v1/posts/{uuid.uuid4()}",
            ),
        }
        sections += [
            f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
            "",
            "### References",
            "",
            markdown(list(references.values()), with_redis=False),
            "",
        ]
        for config in configs:
            production = config == "production"
            use_postgres = production or args.postgres
            redis_prefix = f"bench-{uuid.uuid4().hex[:8]}:"
            with (
                database(use_postgres) as database_url,
                uvicorn_server(
                    "reference_app.main:create_app",
                    migrated_environment(config, database_url, redis_prefix, args.workers),
                    factory=True,
                    loop=SERVER_LOOP.value,
                    log=Path(logs) / f"{config}.log",
                    workers=args.workers,
                ) as base,
            ):
                prefix = redis_prefix if production else None
                measured = measure_app(functools.partial(measure, redis_prefix=prefix), base)
                counted = counted_requests(base, LIVE_ROUTE) if production else None
            if production:
                forget_redis_keys(redis_prefix)
            floor_rps = references[FLOOR_KEY].result.requests_per_second
            cached_post = measured["cached_post"].result.requests_per_second
            workers = f", {args.workers} workers" if args.workers > 1 else ""
            title = (
                "### Production: PostgreSQL, Redis (cache, limits, jobs), rate limits on, "
                f"metrics on, JSON access log{workers}"
                if production
                else f"### Test mode: {'PostgreSQL' if use_postgres else 'SQLite'}, no Redis, "
                "rate limits off, WARNING logs"
            )
            sections += [
                title,
                "",
                markdown(list(measured.values()), with_redis=production),
                "",
                *verdicts(config, measured),
                f"- the cached post did {cached_post / floor_rps:.2f}x of FastAPI alone on its "
                "route shape (the route floor above)",
                *(
                    [
                        f"- /metrics counted {counted:,} answered `GET /health/live` requests; "
                        f"wrk counted {measured['live'].result.requests:,}"
                    ]
                    if counted is not None
                    else []
                ),
                "",
            ]
    command = (
        "uv run python bench/run_bench.py"
        + (f" --config {args.config}" if args.config != "both" else "")
        + (" --postgres" if args.postgres else "")
        + (f" --workers {args.workers}" if args.workers > 1 else "")
    )
    report = "\n".join(["# Benchmark results", "", f"Command: `{command}`", "", *sections])
    print(report)
    write_results(report)
    return 0


LIVE_ROUTE = "/api/v1/health/live"


def counted_requests(base: str, route: str) -> int:
    """``http_requests_total`` of ``route`` (status 200) from the app's /metrics: with several
    workers, it must add up every process's count, or the figure is one worker's."""
    text = httpx.get(
        base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    ).text
    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "http_requests_total"
            and sample.labels.get("route") == route
            and sample.labels.get("status") == "200"
        )
    )


def forget_redis_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def write_results(report: str) -> None:
    """Replace the table in RESULTS.md, keeping the hand-written analysis that follows it."""
    results = BENCH_DIR / "RESULTS.md"
    previous = results.read_text() if results.exists() else ""
    _, heading, analysis = previous.partition(ANALYSIS_HEADING)
    results.write_text(report + ("\n" + heading + analysis if heading else ""))


if __name__ == "__main__":
    sys.exit(main())
