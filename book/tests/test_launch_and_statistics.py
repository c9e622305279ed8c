"""Each lesson page can be launched on Binder, and the statistics page lists every lesson.

The Binder environment is built by `.binder/postBuild` from uv.lock: the export it runs must
work on the current lock and include JupyterLab (the interface the launch link opens). The
built pages are checked when the book has been built (in CI always: see test_built_site.py).

Run alone: ``uv run pytest book/tests/test_launch_and_statistics.py --no-cov``
"""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
POST_BUILD = REPO / ".binder" / "postBuild"
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
BINDER_LINK = "https://mybinder.org/v2/gh/{repository}/main?urlpath=lab/tree/lessons/{name}"
REPOSITORY = "fastapi-production-workbook/fastapi-production-workbook"


def _require_built_site() -> None:
    if (SITE / "index.html").is_file():
        return
    if os.environ.get("CI"):
        pytest.fail("the book is not built (required because CI is set)")
    pytest.skip("book not built: run `uv run workbook book`")


def test_binder_installs_the_locked_environment(tmp_path: Path) -> None:
    """postBuild's own `uv export` line, run on the current lock, yields JupyterLab."""
    script = POST_BUILD.read_text(encoding="utf-8").replace("\\\n", " ")
    (export_line,) = [line for line in script.splitlines() if line.startswith("uv export")]
    command = shlex.split(export_line)
    output = tmp_path / "locked-requirements.txt"
    command[command.index("--output-file") + 1] = str(output)
    uv = shutil.which("uv")
    assert uv is not None
    subprocess.run([uv, *command[1:]], check=True, cwd=REPO, timeout=120, capture_output=True)
    requirements = output.read_text(encoding="utf-8")
    assert re.search(r"^jupyterlab==", requirements, re.MULTILINE)
    assert "--frozen" in command  # the lock's versions, never a fresh resolution


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_page_launches_its_own_notebook_on_binder(lesson: Path) -> None:
    _require_built_site()
    page = (SITE / "lessons" / f"{lesson.stem}.html").read_text(encoding="utf-8")
    assert BINDER_LINK.format(repository=REPOSITORY, name=lesson.name) in page


def test_the_statistics_page_lists_every_lesson_as_executed() -> None:
    _require_built_site()
    page = (SITE / "book" / "execution-statistics.html").read_text(encoding="utf-8")
    for lesson in LESSONS:
        row = re.search(rf">lessons/{lesson.stem}</span>.*?</tr>", page, re.DOTALL)
        assert row, f"{lesson.stem} is missing from the execution statistics"
        assert "✅" in row.group(0), f"{lesson.stem} did not execute cleanly"
