"""What this machine has for the workbook's chapters, and what to do about what is missing.

Lessons import :func:`find` to decide, for example, whether to use the real Redis or the
embedded backend — and say which they used.
"""

import os
import platform
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

from workbook.tools import locate

CONNECT_TIMEOUT_SECONDS = 0.5
"""Where ``infrastructure/tools/install-*.sh`` put the pinned tools (looked in before PATH)."""


@dataclass(frozen=True)
class Finding:
    name: str
    found: bool
    detail: str
    needed_for: str
    remedy: str


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


def _service(name: str, port: int, needed_for: str, remedy: str) -> Callable[[], Finding]:
    def check() -> Finding:
        host = os.environ.get(f"WORKBOOK_{name.upper()}_HOST", "127.0.0.1")
        found = _listening(host, port)
        detail = f"{host}:{port} " + ("answers" if found else "does not answer")
        return Finding(name, found, detail, needed_for, remedy)

    return check


def _program(name: str, needed_for: str, remedy: str) -> Callable[[], Finding]:
    def check() -> Finding:
        path = locate(name)
        return Finding(
            name, path is not None, path or "not in .tools/bin nor on PATH", needed_for, remedy
        )

    return check


def _python() -> Finding:
    version = platform.python_version()
    ok = sys.version_info >= (3, 11)
    return Finding("Python", ok, version, "everything", "install Python 3.11 or newer")


def _docker_engine() -> Finding:
    needed_for = "lesson 12 (containers): building and running the image"
    try:
        import docker

        client = docker.from_env(timeout=2)
        version = client.version().get("Version", "?")
        client.close()
        return Finding("Docker engine", True, f"engine {version}", needed_for, "")
    except Exception as exc:  # any failure at all means "no usable engine"
        return Finding(
            "Docker engine",
            False,
            f"no engine reachable ({type(exc).__name__})",
            needed_for,
            "install Docker Engine or Docker Desktop; lint-only checks still run without it",
        )


CONTAINER_TOOLS = "bash infrastructure/tools/install-container-tools.sh (into .tools/bin)"
TERRAFORM_TOOLS = "bash infrastructure/tools/install-terraform-tools.sh"
OBSERVABILITY_TOOLS = "bash infrastructure/tools/install-observability-tools.sh"

# Each "needed for" names the lessons by number: book/tests/test_prose_drift.py checks that they
# exist and that every tool a lesson looks up is listed here, under that lesson.
CHECKS: list[Callable[[], Finding]] = [
    _python,
    _program("uv", "everything: installing and running", "pip install uv"),
    _service(
        "PostgreSQL",
        5432,
        "the test suite: its PostgreSQL half",
        "install PostgreSQL and allow local connections (trust or a password in the URL)",
    ),
    _service(
        "Redis",
        6379,
        "lessons 5, 6, 7 and 15: events, cache and rate limits shared by every instance",
        "install redis-server; the app falls back to in-process backends without it",
    ),
    _program(
        "redis-server",
        "lesson 10 (testing): the private Redis its fault run freezes and kills",
        "apt-get install redis-server (bash .ci/install.sh installs it)",
    ),
    _docker_engine,
    _program("hadolint", "lesson 12 (containers): linting the Dockerfile", CONTAINER_TOOLS),
    _program(
        "docker-compose",
        "lessons 12 and 13: checking the Compose and Swarm files",
        CONTAINER_TOOLS,
    ),
    _program("helm", "lesson 13 (orchestration): linting and rendering the chart", CONTAINER_TOOLS),
    _program(
        "kubernetes-validate",
        "lesson 13 (orchestration): validating the rendered objects",
        CONTAINER_TOOLS,
    ),
    _program(
        "checkov",
        "lessons 12, 13 and 14: scanning the Dockerfile, the chart and the Terraform",
        CONTAINER_TOOLS,
    ),
    _program("traefik", "lesson 15 (Traefik): the live proxy", CONTAINER_TOOLS),
    _program(
        "terraform", "lesson 14 (Terraform): fmt, and plan where credentials allow", TERRAFORM_TOOLS
    ),
    _program(
        "promtool", "lesson 16 (observability): checking the alert rules", OBSERVABILITY_TOOLS
    ),
    _program("prometheus", "lesson 16 (observability): the live scrape", OBSERVABILITY_TOOLS),
    _program("actionlint", "lesson 11 (CI/CD): checking the workflows", "bash .ci/install.sh"),
    _program("act", "lesson 11 (CI/CD): the workflows' job graph", "bash .ci/install.sh"),
    _program(
        "npx",
        "lesson 9 (the frontend): pnpm, the typed client's generator, Vitest and Playwright",
        "install Node.js 20.9 or newer, then bash reference_app/frontend/install.sh",
    ),
    _program(
        "chromium",
        "lesson 9 (the frontend): its end-to-end run; and the built book: its browser check",
        "apt-get install chromium",
    ),
]


def run_checks() -> list[Finding]:
    return [check() for check in CHECKS]


def find(name: str) -> Finding:
    """The finding for one item by name (e.g. ``find("Redis").found``)."""
    for finding in run_checks():
        if finding.name.lower() == name.lower():
            return finding
    raise KeyError(name)
