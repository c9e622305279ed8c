"""The built book works in a browser: its table of contents leads to an executed lesson.

Needs the book built first (``uv run jupyter-book build .``) and Chromium
(``apt-get install chromium``). On a laptop without them the test is skipped; in CI (``CI``
set) a missing build or browser is a failure, so the check can never silently stop running.

Run alone: ``uv run pytest book/tests/test_built_site.py --no-cov`` or, for a plain report,
``uv run python book/tests/browser_check.py _build/html``.
"""

import os
from pathlib import Path

import pytest

# book/tests is on sys.path when pytest collects this file (rootdir-relative "prepend" imports).
from browser_check import check_site, find_chromium

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


def test_toc_leads_to_a_lesson_with_executed_output() -> None:
    _require((SITE / "index.html").is_file(), "book not built: run `uv run jupyter-book build .`")
    _require(find_chromium() is not None, "Chromium not installed: `apt-get install chromium`")

    result = check_site(SITE, SCREENSHOT)

    assert "/lessons/" in result.lesson_url
    assert result.first_output.strip()
    assert SCREENSHOT.stat().st_size > 0
