"""Benchmark the reference app against a bare FastAPI app, with wrk, on loopback.

    uv run python bench/run_bench.py            # SQLite (the embedded default)
    uv run python bench/run_bench.py --postgres # the machine's PostgreSQL, a database of its own

Both apps run under uvicorn with one worker and no access log: the bare app on uvicorn's default
event loop (uvloop, the fastest: the ceiling the ratios are taken against, and once more on
asyncio for comparison), the reference app on the loop its ``serve`` command uses (asyncio; see
``SERVER_LOOP`` in ``reference_app/cli.py`` and ``loop_fairness.py``). Before the reference app,
``route_floor_app.py`` runs on that same loop: the route shape of ``GET /posts/{id}`` on FastAPI
with none of the app's work, the most that route can do here. Each scenario runs wrk for a
fixed time at 64 connections; a run at 1000 connections counts errors; the logins run last.
Before every scenario the bare app (uvloop) is measured again, and the scenario's ratio is taken
against that run, seconds old: on a shared machine the speed moves within minutes, so one
baseline for the whole run would not do; the report says how far the bare runs spread. The
table is printed and written to bench/RESULTS.md with the machine and the date.
Rate limiting is switched off: this measures throughput, and one client IP would otherwise be
limited to 100 requests/minute.
"""

import argparse
import asyncio
import datetime as dt
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from reference_app.cli import SERVER_LOOP

BENCH_DIR = Path(__file__).resolve().parent
USER = {"email": "bench@example.com", "password": "benchmark password"}
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
TARGETS = {"cached_post": 0.5, "users_me": 0.35}
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
    target: str, env: dict[str, str], *, factory: bool, loop: str = "auto"
) -> Iterator[str]:
    """Run ``target`` under uvicorn (1 worker, no access log) and yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        loop,
    ]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env=env, cwd=BENCH_DIR)
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


def app_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENVIRONMENT": "test",
        "APP_DATABASE_URL": database_url,
        "APP_SECRET_KEY": SECRET,
        "APP_AUTO_MIGRATE": "true",
        "APP_RATE_LIMIT_ENABLED": "false",
        "APP_LOG_LEVEL": "WARNING",
    }


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

    @property
    def ratio(self) -> float:
        return self.result.requests_per_second / self.bare.requests_per_second


def markdown(measured: list[Measured], database_name: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({cpu}), Python {platform.python_version()}, database: {database_name}.",
        "",
        "| scenario | connections | req/s | bare just before | x bare | p50 ms | p90 ms | p99 ms "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measured:
        r = m.result
        lines.append(
            f"| {r.name} | {r.connections} | {r.requests_per_second:,.0f} | "
            f"{m.bare.requests_per_second:,.0f} | {m.ratio:.2f} | {r.p50_ms:.1f} | "
            f"{r.p90_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |"
        )
    return "\n".join(lines)


def verdicts(measured: dict[str, Measured]) -> list[str]:
    checks = [
        (
            "cached GET /posts/{id} >= 0.5x bare",
            measured["cached_post"].ratio >= TARGETS["cached_post"],
        ),
        ("GET /users/me >= 0.35x bare", measured["users_me"].ratio >= TARGETS["users_me"]),
        (
            "p99 < 200 ms at 64 connections (app scenarios but login)",
            all(
                m.result.p99_ms < 200
                for k, m in measured.items()
                if k not in {BARE_ASYNCIO_KEY, FLOOR_KEY, "login", "c1000"}
            ),
        ),
        (
            "0 errors and no stall at 1000 connections",
            measured["c1000"].result.errors == 0 and measured["c1000"].result.requests > 0,
        ),
    ]
    lines = [f"- {'PASS' if ok else 'FAIL'}: {label}" for label, ok in checks]
    floor = measured[FLOOR_KEY]
    cached_post = measured["cached_post"].result.requests_per_second
    lines.append(
        f"- FastAPI alone, on the route shape of GET /posts/{{id}} with no middleware and no "
        f"work, did {floor.ratio:.2f}x bare; the reference app's cached post did "
        f"{cached_post / floor.result.requests_per_second:.2f}x of that"
    )
    bare_runs = [m.bare.requests_per_second for m in measured.values()]
    spread = (max(bare_runs) - min(bare_runs)) / max(bare_runs)
    lines.append(
        "- each x bare is against the bare app (uvloop) measured just before that scenario; "
        f"its {len(bare_runs)} runs ranged from {min(bare_runs):,.0f} to "
        f"{max(bare_runs):,.0f} req/s ({spread:.0%} apart)"
        + (": the machine's speed moved during the run" if spread > SPREAD_WARNING else "")
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use the local PostgreSQL")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    raise_open_file_limit()

    seconds = args.seconds
    measured: dict[str, Measured] = {}
    # Every server is started first and stays up; the ones not being measured sit idle (the
    # reference app used 0.04 s of CPU in 10 idle seconds).
    with (
        uvicorn_server("bare_app:app", dict(os.environ), factory=False) as bare,
        uvicorn_server(
            "bare_app:app", dict(os.environ), factory=False, loop="asyncio"
        ) as bare_asyncio,
        uvicorn_server(
            "route_floor_app:app", dict(os.environ), factory=False, loop=SERVER_LOOP.value
        ) as floor,
        database(args.postgres) as database_url,
        uvicorn_server(
            "reference_app.main:create_app",
            app_environment(database_url),
            factory=True,
            loop=SERVER_LOOP.value,
        ) as base,
    ):

        def measure(
            name: str,
            url: str,
            *,
            connections: int = 64,
            headers: dict[str, str] | None = None,
            script: Path | None = None,
        ) -> Measured:
            """The bare app, then the scenario: on a shared machine the speed moves within
            minutes, so each ratio is taken against a bare run seconds old."""
            baseline = run_wrk("bare FastAPI baseline (uvloop)", bare + "/", seconds=seconds)
            result = run_wrk(
                name,
                url,
                connections=connections,
                seconds=seconds,
                headers=headers,
                script=script,
            )
            return Measured(result, baseline)

        token, post_id = seed(base)
        auth = {"Authorization": f"Bearer {token}"}
        api = base + "/api/v1"
        measured[BARE_ASYNCIO_KEY] = measure("bare FastAPI baseline (asyncio)", bare_asyncio + "/")
        measured[FLOOR_KEY] = measure(
            "FastAPI alone, GET /posts/{id}'s shape (route_floor_app.py)",
            f"{floor}/api/v1/posts/{uuid.uuid4()}",
        )
        measured["cached_post"] = measure("GET /posts/{id} (cached)", f"{api}/posts/{post_id}")
        measured["post_list"] = measure("GET /posts (20, cached)", f"{api}/posts")
        measured["users_me"] = measure("GET /users/me (auth)", f"{api}/users/me", headers=auth)
        measured["c1000"] = measure(
            "GET /posts/{id} (cached)", f"{api}/posts/{post_id}", connections=1000
        )
        # Last: when wrk stops, the logins it gave up on are still queued for Argon2, and
        # they would take the CPU from whatever ran next.
        measured["login"] = measure(
            "POST /auth/login", f"{api}/auth/login", script=BENCH_DIR / "login.lua"
        )
    table = markdown(list(measured.values()), "PostgreSQL" if args.postgres else "SQLite")
    report = "\n".join(
        [
            "# Benchmark results",
            "",
            "Command: `uv run python bench/run_bench.py"
            + (" --postgres" if args.postgres else "")
            + "`",
            "",
            table,
            "",
            *verdicts(measured),
            "",
        ]
    )
    print(report)
    write_results(report)
    return 0


def write_results(report: str) -> None:
    """Replace the table in RESULTS.md, keeping the hand-written analysis that follows it."""
    results = BENCH_DIR / "RESULTS.md"
    previous = results.read_text() if results.exists() else ""
    _, heading, analysis = previous.partition(ANALYSIS_HEADING)
    results.write_text(report + ("\n" + heading + analysis if heading else ""))


if __name__ == "__main__":
    sys.exit(main())
