"""The built book works in a browser: its table of contents leads to an executed lesson, and
no page shows a run-on markdown table, an empty output or an unexpected error.

Needs the book built first (``uv run jupyter-book build .``) and Chromium
(``apt-get install chromium``). On a laptop without them the test is skipped; in CI (``CI``
set) a missing build or browser is a failure, so the check can never silently stop running.

Run alone: ``uv run pytest book/tests/test_built_site.py --no-cov`` or, for a plain report,
``uv run python book/tests/browser_check.py _build/html``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

# book/tests is on sys.path when pytest collects this file (rootdir-relative "prepend" imports).
from browser_check import check_site, find_chromium, page_problems

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
SCREENSHOT = REPO / "_build" / "browser-check.png"


def _require(condition: bool, reason: str) -> None:
    """Skip on a developer's machine, fail in CI: CI must always run the check."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required because CI is set)")
    pytest.skip(reason)


def toc_pages() -> list[str]:
    """Every document of ``_toc.yml``: its root, and each ``file:`` at any depth."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            found.extend([entry["file"]] if "file" in entry else [])
            walk(entry.get("chapters", []) + entry.get("sections", []) + entry.get("parts", []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return found


def test_toc_leads_to_a_lesson_with_executed_output() -> None:
    _require((SITE / "index.html").is_file(), "book not built: run `uv run jupyter-book build .`")
    _require(find_chromium() is not None, "Chromium not installed: `apt-get install chromium`")

    result = check_site(SITE, SCREENSHOT)  # raises, naming every page that fails

    assert "/lessons/" in result.lesson_url
    assert result.first_output.strip()
    assert SCREENSHOT.stat().st_size > 0
    lessons = sorted((REPO / "lessons").glob("*.ipynb"))
    assert len(result.screenshots) == len(lessons)
    assert all(shot.stat().st_size > 0 for shot in result.screenshots)
    read = {urlsplit(url).path.lstrip("/") for url in result.pages}
    assert read == {f"{page}.html" for page in toc_pages()}  # every page, prose and labs too


CLEAN_PAGE = {"text": "A table:\ntool\tfound at\nhelm\t.tools/bin", "emptyOutputs": 0, "errors": []}


def test_a_clean_page_has_no_problems() -> None:
    assert page_problems("lesson", CLEAN_PAGE) == []


@pytest.mark.parametrize(
    "run_on_text",
    ["| tool | found at |", "| tool | found at | |---|---| | helm | x |", "a |:---| b"],
)
def test_a_markdown_table_left_as_text_is_a_problem(run_on_text: str) -> None:
    page = {**CLEAN_PAGE, "text": f"Tools found:\n{run_on_text}\nmore prose"}
    (problem,) = page_problems("lesson", page)
    assert "markdown table shown as text" in problem


def test_a_shell_pipe_in_prose_is_not_a_table() -> None:
    page = {**CLEAN_PAGE, "text": "Run uv export | grep jupyterlab to see it."}
    assert page_problems("lesson", page) == []


def test_empty_outputs_and_unexpected_errors_are_problems() -> None:
    page = {**CLEAN_PAGE, "emptyOutputs": 2, "errors": ["KeyError: 'helm'"]}
    problems = page_problems("lesson", page)
    assert problems == [
        "lesson: 2 empty cell output(s)",
        "lesson: error output \"KeyError: 'helm'\"",
    ]
