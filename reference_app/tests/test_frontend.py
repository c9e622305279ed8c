"""The Next.js frontend (``frontend/``), checked from the app's own test command.

Its tests are JavaScript (Vitest for the client, hooks and forms; Playwright for the whole stack
in Chromium), so this module runs them as subprocesses, bounded in time, and fails with their
output. Without ``frontend/node_modules`` (``bash frontend/install.sh``) they skip on a laptop
and fail in CI (``CI`` or ``REQUIRE_SERVICES`` set), like the PostgreSQL tests.

The end-to-end run serves the real app on PostgreSQL and Redis, from a database of its own.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from reference_app.core.config import Settings
from reference_app.main import create_app

from .conftest import (
    TEST_REDIS_URL,
    _create_postgres_database,
    _drop_postgres_database,
    services_required,
)
from .support import free_port

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
UNIT_TIMEOUT_SECONDS = 300
CHECK_TIMEOUT_SECONDS = 300
BUILD_TIMEOUT_SECONDS = 600  # two shared cores: about a minute idle, several when busy
E2E_TIMEOUT_SECONDS = 600
STOP_GRACE_SECONDS = 30  # for Playwright, told to stop, to stop the servers it started
OUTPUT_TAIL_CHARACTERS = 20_000
SCHEMA_FIX = "run: cd reference_app/frontend && pnpm api:schema && pnpm api:generate"


def pnpm_command() -> list[str]:
    """pnpm at the version ``package.json`` pins (``packageManager``), through npx."""
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx (Node.js 20) is not on PATH")
    return [npx, "--yes", package["packageManager"]]


@pytest.fixture(scope="module")
def pnpm() -> list[str]:
    if not (FRONTEND / "node_modules").is_dir():
        message = "frontend/node_modules is missing: run bash reference_app/frontend/install.sh"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    return pnpm_command()


def child_environment() -> dict[str, str]:
    """This environment for the Node tools: without what an outer pytest (nbmake, coverage)
    sets for its own run or the colours a notebook kernel forces on, and with ``uv`` on PATH
    for the app server Playwright starts."""
    forced = {"FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"}
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in forced and not name.startswith(("PYTEST_", "COV_CORE_"))
    }
    if shutil.which("uv") is None and "UV" in os.environ:  # `uv run` says where it is
        environment["PATH"] = f"{Path(os.environ['UV']).parent}{os.pathsep}{environment['PATH']}"
    return {**environment, "NO_COLOR": "1", "NEXT_TELEMETRY_DISABLED": "1"}


def run_in_frontend(
    command: list[str], limit: float, env: dict[str, str] | None = None
) -> tuple[int | None, str]:
    """Run ``command`` in frontend/ for at most ``limit`` seconds: its exit code (None when it
    ran out of time) and its output.

    It runs in a process group of its own, stopped whole at the end, so nothing it started
    outlives it: out of time, the group is asked to stop first (Playwright then stops the
    servers it started, each in a group of its own), then killed. Killing only the first
    process (what ``subprocess.run(timeout=...)`` does) would leave pnpm, Playwright and both
    servers running, and the pipe they hold open would keep the caller waiting.
    """
    process = subprocess.Popen(  # noqa: S603 - npx and the project's own tools
        command,
        cwd=FRONTEND,
        env={**child_environment(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=limit)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return None, output
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group may be gone already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stop_listeners(*ports: int) -> list[int]:
    """Stop whatever still listens on these loopback ports, with its process group; the ports
    it stopped. Playwright stops its servers when it finishes, but not when it is killed."""
    stopped = []
    for connection in psutil.net_connections("tcp"):
        if connection.status != psutil.CONN_LISTEN or not connection.laddr:
            continue
        port = connection.laddr.port
        if port in ports and connection.pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(connection.pid), signal.SIGTERM)
                stopped.append(port)
    return stopped


def run(pnpm: list[str], script: str, timeout: float, env: dict[str, str] | None = None) -> None:
    """``pnpm <script>`` in frontend/; a failure or a timeout fails the test with the output."""
    exit_code, output = run_in_frontend([*pnpm, script], timeout, env)
    if exit_code is None:
        pytest.fail(f"pnpm {script} took over {timeout} s:\n{output[-OUTPUT_TAIL_CHARACTERS:]}")
    if exit_code != 0:
        pytest.fail(f"pnpm {script} exited {exit_code}:\n{output[-OUTPUT_TAIL_CHARACTERS:]}")


def test_the_committed_schema_is_the_apps() -> None:
    """The client is generated from ``frontend/openapi.json``; it must be today's schema.

    (That the generated TypeScript matches ``openapi.json`` is Vitest's check, below.)
    """
    live = create_app(Settings.model_validate({})).openapi()
    committed = json.loads((FRONTEND / "openapi.json").read_text(encoding="utf-8"))
    assert committed == live, f"frontend/openapi.json is stale; {SCHEMA_FIX}"


def test_unit_tests(pnpm: list[str]) -> None:
    run(pnpm, "test", UNIT_TIMEOUT_SECONDS)


def test_types_and_lint(pnpm: list[str]) -> None:
    run(pnpm, "typecheck", CHECK_TIMEOUT_SECONDS)
    run(pnpm, "lint", CHECK_TIMEOUT_SECONDS)


@pytest.fixture
async def e2e_database() -> AsyncIterator[str]:
    url = await _create_postgres_database()
    yield url
    await _drop_postgres_database(url)


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Debian's Chromium here; GitHub's Ubuntu runners ship Google Chrome (its Chromium is a snap)."""


def find_browser() -> str | None:
    """``CHROMIUM_PATH``, else the first Chromium-family browser on ``PATH``."""
    if "CHROMIUM_PATH" in os.environ:
        return os.environ["CHROMIUM_PATH"]
    return next(filter(None, map(shutil.which, BROWSER_NAMES)), None)


def test_end_to_end_in_chromium(pnpm: list[str], e2e_database: str, redis_prefix: str) -> None:
    """The production build (offline), then Playwright against it and the real app."""
    browser = find_browser()
    if browser is None:
        message = f"no browser ({', '.join(BROWSER_NAMES)}) on PATH; set CHROMIUM_PATH"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    run(pnpm, "build", BUILD_TIMEOUT_SECONDS)
    api_port, web_port = free_port(), free_port()
    try:
        run(
            pnpm,
            "test:e2e",
            E2E_TIMEOUT_SECONDS,
            env={
                "E2E_API_PORT": str(api_port),
                "E2E_WEB_PORT": str(web_port),
                "E2E_DATABASE_URL": e2e_database,
                "E2E_REDIS_URL": TEST_REDIS_URL,
                "E2E_REDIS_KEY_PREFIX": redis_prefix,
                "CHROMIUM_PATH": browser,
            },
        )
    finally:
        stop_listeners(api_port, web_port)  # after a timeout, say: nothing is left running
