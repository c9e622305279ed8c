"""The set-up page's commands work: a student who follows `book/setup.md` can open the lessons.

Every ``uv run jupyter ...`` command the page gives must find its Jupyter application in the
project's environment (``jupyter lab`` once failed here: jupyterlab was not a dependency).

Run alone: ``uv run pytest book/tests/test_student_setup.py --no-cov``
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP_PAGE = REPO / "book" / "setup.md"
JUPYTER = Path(sys.executable).with_name("jupyter")
JUPYTER_COMMAND = re.compile(r"^uv run jupyter (?P<application>[a-z-]+)", re.MULTILINE)


def jupyter_applications() -> list[str]:
    return sorted(set(JUPYTER_COMMAND.findall(SETUP_PAGE.read_text(encoding="utf-8"))))


def test_the_setup_page_tells_students_how_to_open_and_run_lessons() -> None:
    assert {"lab", "nbconvert"} <= set(jupyter_applications())


@pytest.mark.parametrize("application", jupyter_applications())
def test_each_jupyter_command_of_the_setup_page_runs(application: str) -> None:
    result = subprocess.run(
        [str(JUPYTER), application, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"jupyter {application}: {result.stderr}"
    assert re.search(r"\d+\.\d+", result.stdout)


def test_a_lesson_runs_from_the_command_line_as_the_page_says(tmp_path: Path) -> None:
    """The nbconvert line of the page, on the first lesson: executes and writes a notebook."""
    result = subprocess.run(
        [
            str(JUPYTER),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output-dir",
            str(tmp_path),
            str(REPO / "lessons" / "00_tour.ipynb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "00_tour.ipynb").stat().st_size > 0
