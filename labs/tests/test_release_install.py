"""A released lab installs and grades on a machine with only Python and PyPI.

A student gets the released folder (a GitHub Classroom repository, a zip), not the workbook.
This test does what its README tells them: a fresh virtual environment in the copy,
``pip install -r requirements.txt`` (the bundled reference_app wheel plus locked versions from
PyPI), then ``python -m pytest``: the untouched starter must fail, the solution must pass.

It needs PyPI; it is part of the README's test command (`uv run pytest`).

Run alone: ``uv run pytest labs/tests/test_release_install.py --no-cov``
"""

import shutil
import subprocess
import sys
from pathlib import Path

from workbook.lab_catalog import find_lab
from workbook.lab_release import release

LAB = "03-rest"  # a lab whose public tests need the whole app: routes, database, errors
INSTALL_TIMEOUT_SECONDS = 600
TEST_TIMEOUT_SECONDS = 300


def run(command: list[str], folder: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_released_lab_installs_in_a_fresh_venv_and_grades(tmp_path: Path) -> None:
    lab = find_lab(LAB)
    copy = tmp_path / "student"
    release(lab, copy)
    assert "## Set up" in (copy / "README.md").read_text(encoding="utf-8")

    venv = copy / ".venv"
    assert run([sys.executable, "-m", "venv", str(venv)], copy, 120).returncode == 0
    python = str(venv / "bin" / "python")
    installed = run(
        [python, "-m", "pip", "install", "-q", "-r", "requirements.txt"],
        copy,
        INSTALL_TIMEOUT_SECONDS,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    starter = run([python, "-m", "pytest", "-q"], copy, TEST_TIMEOUT_SECONDS)
    assert starter.returncode == 1, starter.stdout[-3000:]  # tests ran, and some failed
    assert " failed" in starter.stdout

    for solved in (lab.path / "solution").iterdir():
        shutil.copy2(solved, copy / "starter" / solved.name)
    solution = run([python, "-m", "pytest", "-q"], copy, TEST_TIMEOUT_SECONDS)
    assert solution.returncode == 0, solution.stdout[-3000:]
    assert " passed" in solution.stdout
    assert " failed" not in solution.stdout
