"""What this machine has for the workbook's chapters, and what to do about what is missing.

Lessons import :func:`find` to decide, for example, whether to use the real Redis or the
embedded backend — and say which they used.
"""

import os
import platform
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONNECT_TIMEOUT_SECONDS = 0.5
PROJECT_TOOLS = Path(__file__).resolve().parents[2] / ".tools" / "bin"
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
        path = shutil.which(name, path=str(PROJECT_TOOLS)) or shutil.which(name)
        return Finding(
            name, path is not None, path or "not in .tools/bin nor on PATH", needed_for, remedy
        )

    return check


def _python() -> Finding:
    version = platform.python_version()
    ok = sys.version_info >= (3, 11)
    return Finding("Python", ok, version, "everything", "install Python 3.11 or newer")


def _docker_engine() -> Finding:
    try:
        import docker

        client = docker.from_env(timeout=2)
        version = client.version().get("Version", "?")
        client.close()
        return Finding("Docker engine", True, f"engine {version}", "containers lesson", "")
    except Exception as exc:  # any failure at all means "no usable engine"
        return Finding(
            "Docker engine",
            False,
            f"no engine reachable ({type(exc).__name__})",
            "building and running images",
            "install Docker Engine or Docker Desktop; lint-only checks still run without it",
        )


CHECKS: list[Callable[[], Finding]] = [
    _python,
    _program("uv", "installing and running everything", "pip install uv"),
    _service(
        "PostgreSQL",
        5432,
        "the PostgreSQL half of the tests",
        "install PostgreSQL and allow local connections (trust or a password in the URL)",
    ),
    _service(
        "Redis",
        6379,
        "caching, rate limiting and jobs on shared state",
        "install redis-server; the app falls back to in-process backends without it",
    ),
    _docker_engine,
    _program(
        "terraform",
        "terraform fmt and plan in the Terraform lesson",
        "bash infrastructure/tools/install-terraform-tools.sh",
    ),
    _program(
        "traefik",
        "the live Traefik lesson",
        "bash infrastructure/tools/install-container-tools.sh (into .tools/bin)",
    ),
    _program(
        "promtool",
        "checking the alert rules (observability lesson)",
        "bash infrastructure/tools/install-observability-tools.sh",
    ),
    _program(
        "prometheus",
        "the live scrape in the observability lesson",
        "bash infrastructure/tools/install-observability-tools.sh",
    ),
    _program("chromium", "the browser check of the built book", "apt-get install chromium"),
]


def run_checks() -> list[Finding]:
    return [check() for check in CHECKS]


def find(name: str) -> Finding:
    """The finding for one item by name (e.g. ``find("Redis").found``)."""
    for finding in run_checks():
        if finding.name.lower() == name.lower():
            return finding
    raise KeyError(name)
