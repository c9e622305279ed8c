"""The command-line tools the infrastructure labs grade with: promtool, hadolint, helm, ...

They are looked up as the workbook's own infrastructure tests look them up: the workbook's
pinned copies in ``.tools/bin`` first (found in a folder above the lab, when the lab runs inside
the workbook), then ``PATH``. A missing tool *fails* the test and says how to install it: a
lab graded without the tool it is graded by must score nothing, not pass or skip quietly.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOL_FOLDER = Path(".tools") / "bin"
TIMEOUT_SECONDS = 120


def find_tool(name: str) -> str | None:
    """The path of ``name``: a ``.tools/bin`` above this file first, then ``PATH``."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / TOOL_FOLDER / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def require_tool(name: str, install: str) -> str:
    """The path of ``name``, or fail the test with ``install``: how to get it."""
    path = find_tool(name)
    if path is None:
        pytest.fail(
            f"this lab is graded with {name}, which is not installed (not in .tools/bin, not on "
            f"PATH). Install it: {install}",
            pytrace=False,
        )
    return path


def run_tool(
    name: str, install: str, *arguments: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``name arguments...`` (bounded in time); its exit code and output, never raised."""
    return subprocess.run(  # noqa: S603 - a grading tool with the lab's own arguments
        [require_tool(name, install), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def findings(result: subprocess.CompletedProcess[str]) -> str:
    """A tool's output on one line: a failed test's message is its first line, and this puts
    what the tool found there, not only on the lines below it."""
    lines = (line.strip() for line in (result.stdout + result.stderr).splitlines())
    return " | ".join(line for line in lines if line)
