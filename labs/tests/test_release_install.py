"""A released lab installs and grades on a machine with only Python and PyPI.

A student gets the released folder (a GitHub Classroom repository, a zip), not the workbook.
This test does what its README tells them: a fresh virtual environment in the copy,
``pip install -r requirements.txt`` (the bundled reference_app wheel plus locked versions from
PyPI), then ``python -m pytest``: the untouched starter must fail, the solution must pass. One
lab is enough (the copy is the same for every lab but its tests), and one environment serves
the starter and the solution: the install is most of the time, about 40 s with a warm pip cache.

It needs PyPI (or the index in ``PIP_INDEX_URL``): unreachable, the test skips on a laptop and
fails in CI (``CI`` or ``REQUIRE_SERVICES`` set), like the app's PostgreSQL tests.

Run alone: ``uv run pytest labs/tests/test_release_install.py --no-cov``
"""

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workbook.lab_catalog import find_lab
from workbook.lab_release import CREATE_VENV, IGNORED, INSTALL, RUN_TESTS, release

LAB = "03-rest"  # a lab whose public tests need the whole app: routes, database, errors
INDEX_URL = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
INSTALL_TIMEOUT_SECONDS = 600  # a cold pip cache downloads about a hundred wheels
TEST_TIMEOUT_SECONDS = 300


def require_package_index() -> None:
    """Skip on a laptop without the index; fail where services are required (CI)."""
    try:
        urllib.request.urlopen(f"{INDEX_URL.rstrip('/')}/pip/", timeout=10).close()  # noqa: S310
    except (urllib.error.URLError, OSError) as exc:
        message = f"the package index {INDEX_URL} is not reachable: {exc}"
        if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def run_as_student(command: str, copy: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """Run a command of the README's set-up in ``copy``; ``python`` is the copy's venv once
    there is one (what ``source .venv/bin/activate`` does), else this interpreter."""
    program, *arguments = command.split()
    assert program == "python", command
    venv_python = copy / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    environment = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    return subprocess.run(
        [python, *arguments],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_released_lab_installs_in_a_fresh_venv_and_grades(tmp_path: Path) -> None:
    require_package_index()
    lab = find_lab(LAB)
    public = lab.selected(include_hidden=False)
    copy = tmp_path / "student"
    release(lab, copy)
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert all(command in readme for command in (CREATE_VENV, INSTALL, RUN_TESTS)), readme

    created = run_as_student(CREATE_VENV, copy, 120)
    assert created.returncode == 0, created.stderr
    installed = run_as_student(f"{INSTALL} -q", copy, INSTALL_TIMEOUT_SECONDS)
    assert installed.returncode == 0, installed.stderr[-3000:]

    starter = run_as_student(f"{RUN_TESTS} -q", copy, TEST_TIMEOUT_SECONDS)
    assert starter.returncode == 1, starter.stdout[-3000:]  # the tests ran, and some failed
    assert " failed" in starter.stdout

    shutil.copytree(lab.solution, copy / "starter", dirs_exist_ok=True, ignore=IGNORED)
    solution = run_as_student(f"{RUN_TESTS} -q", copy, TEST_TIMEOUT_SECONDS)
    assert solution.returncode == 0, solution.stdout[-3000:]
    assert f"{len(public)} passed" in solution.stdout, solution.stdout[-3000:]
