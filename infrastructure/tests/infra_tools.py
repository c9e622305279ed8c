"""Shared helpers for the infrastructure checks (imported by the test modules).

A module of its own, not conftest.py: several test folders have a conftest.py, and a plain
``from conftest import ...`` would get whichever one Python imported first.

Where a tool is, and whether this is CI, come from ``workbook.tools``, the lookup the lessons
and ``workbook doctor`` use too; what is added here is pytest's side of the policy:

* locally, a missing CLI tool is a *skip* with a reason that says how to
  install it, so a learner without the tools can still run the rest;
* under CI (the ``CI`` environment variable is set to anything non-empty),
  a missing tool is a *failure*: a green CI run must never mean "we
  silently checked nothing".
"""

from __future__ import annotations

from typing import NoReturn

import pytest

from workbook.tools import LOCAL_TOOL_DIR, REPO_ROOT, free_port, in_ci, locate, services_required

__all__ = ["REPO_ROOT", "free_port", "locate", "require_tool", "skip_or_fail"]


def require_tool(name: str, hint: str = "") -> str:
    """Return the absolute path of a CLI tool, or fail (CI) / skip (local).

    ``hint`` should tell the reader how to get the tool, e.g. the install
    script to run.
    """
    path = locate(name)
    if path:
        return path
    message = f"required tool {name!r} not found in {LOCAL_TOOL_DIR} or on PATH"
    if hint:
        message += f" ({hint})"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
    raise AssertionError("unreachable")  # for type checkers


def skip_or_fail(message: str) -> NoReturn:
    """Skip on a laptop; fail where services are required (see ``services_required``)."""
    if services_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
