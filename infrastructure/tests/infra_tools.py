"""Shared helpers for the infrastructure checks (imported by the test modules).

A module of its own, not conftest.py: several test folders have a conftest.py, and a plain
``from conftest import ...`` would get whichever one Python imported first.

Kept deliberately small and generic so every tool-driven test module
(containers, helm, terraform, ...) can use the same policy:

* locally, a missing CLI tool is a *skip* with a reason that says how to
  install it, so a learner without the tools can still run the rest;
* under CI (the ``CI`` environment variable is set to anything non-empty),
  a missing tool is a *failure*: a green CI run must never mean "we
  silently checked nothing".
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Project-local tool folder filled by infrastructure/tools/install-container-tools.sh
# (and any sibling install scripts). It is searched before $PATH so the
# pinned versions win over whatever happens to be installed system-wide.
LOCAL_TOOL_DIR = REPO_ROOT / ".tools" / "bin"


def in_ci() -> bool:
    """True when running in CI, where missing tools must fail, not skip."""
    return bool(os.environ.get("CI", "").strip())


def find_tool(name: str) -> str | None:
    """Return the path of ``name`` from .tools/bin first, then $PATH."""
    local = LOCAL_TOOL_DIR / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def require_tool(name: str, hint: str = "") -> str:
    """Return the absolute path of a CLI tool, or fail (CI) / skip (local).

    ``hint`` should tell the reader how to get the tool, e.g. the install
    script to run.
    """
    path = find_tool(name)
    if path:
        return path
    message = f"required tool {name!r} not found in {LOCAL_TOOL_DIR} or on PATH"
    if hint:
        message += f" ({hint})"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
    raise AssertionError("unreachable")  # for type checkers


def services_required() -> bool:
    """True when a missing service or binary must fail: CI, or ``REQUIRE_SERVICES`` set.

    The same switch as reference_app's tests use for PostgreSQL and Redis.
    """
    return in_ci() or bool(os.environ.get("REQUIRE_SERVICES", "").strip())


def skip_or_fail(message: str) -> NoReturn:
    """Skip on a laptop; fail where services are required (see :func:`services_required`)."""
    if services_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it; tiny race until it is used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
