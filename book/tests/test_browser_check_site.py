"""The browser check fails where it should: run on a small site of myst-nb-shaped pages, each
with one fault a green build once shipped, it names every faulty page, and only those.

The pure tests in ``test_built_site.py`` prove how :func:`browser_check.page_problems` judges a
report; these prove that :data:`browser_check.PAGE_REPORT_JS` reads the report off real HTML
in a real browser (the markup is myst-nb's, copied from a built lesson), so a check that never
fires cannot pass unnoticed. Needs Chromium: skipped without it locally, a failure in CI.

Run alone: ``uv run pytest book/tests/test_browser_check_site.py --no-cov -p no:randomly``
"""

import os
from pathlib import Path

import pytest

# book/tests is on sys.path when pytest collects this file (rootdir-relative "prepend" imports).
from browser_check import BrowserCheckError, check_site, find_chromium

INPUT = '<div class="cell_input docutils container"><pre>{}</pre></div>'
OUTPUT = '<div class="cell_output docutils container">{}</div>'
STREAM = '<div class="output stream highlight-myst-ansi notranslate"><pre>{}</pre></div>'
STDERR = '<div class="output stderr highlight-myst-ansi notranslate"><pre>{}</pre></div>'
TRACEBACK = '<div class="output traceback highlight-ipythontb notranslate"><pre>{}</pre></div>'
TABLE = "<table><tr><th>tool</th><th>found at</th></tr><tr><td>helm</td><td>x</td></tr></table>"
TRACEBACK_TEXT = "Traceback (most recent call last):\n  ...\nKeyError: 'helm'"


def cell(*parts: str, tags: str = "") -> str:
    return f'<div class="cell {tags} docutils container">{"".join(parts)}</div>'


# Everything on this page is fine, though a careless check would flag each part of it.
CLEAN = [
    cell(
        INPUT.format('HEADER = """\n| tool | found at |\n|---|---|\n"""'),
        OUTPUT.format(STREAM.format("42 rows")),
    ),
    cell(INPUT.format("show_table(...)"), OUTPUT.format(TABLE)),
    cell(OUTPUT.format('<img src="data:," alt="">')),
    cell(OUTPUT.format(STDERR.format("DeprecationWarning: old"))),
    cell(OUTPUT.format(TRACEBACK.format(TRACEBACK_TEXT)), tags="tag_raises-exception"),
    "<p>Run <code>uv export | grep fastapi</code> to see it.</p>",
]
# One fault per page, each as myst-nb once rendered it.
FAULTY = {
    "run-on-table": ["<p>| kind | dev | |---|---| | Deployment | api |</p>"],
    "empty-output": [cell(INPUT.format("show()"), OUTPUT.format(""))],
    "traceback": [cell(OUTPUT.format(TRACEBACK.format(TRACEBACK_TEXT)))],
    "traceback-on-stderr": [cell(OUTPUT.format(STDERR.format(TRACEBACK_TEXT)))],
    "prose-table": ["<p>| a | b |</p>"],
}


def write_page(site: Path, path: str, body: list[str], toc: str) -> None:
    """A page shaped like sphinx-book-theme's: the sidebar nav, then the article."""
    page = site / path
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        f'<!DOCTYPE html><html><body><nav class="bd-docs-nav">{toc}</nav>'
        f"<article>{''.join(body)}</article></body></html>"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    pages = {"lessons/clean.html": CLEAN, **{f"lessons/{n}.html": b for n, b in FAULTY.items()}}
    pages["book/prose.html"] = pages.pop("lessons/prose-table.html")
    toc = "".join(f'<a class="reference internal" href="/{path}">{path}</a>' for path in pages)
    write_page(tmp_path, "index.html", ["<p>The home page.</p>"], toc)
    for path, body in pages.items():
        write_page(tmp_path, path, body, toc)
    return tmp_path


@pytest.fixture
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium not installed (required because CI is set)")
        pytest.skip("Chromium not installed: `apt-get install chromium`")
    return binary


def test_every_faulty_page_is_named_and_no_other(site: Path, chromium: str) -> None:
    with pytest.raises(BrowserCheckError) as failure:
        check_site(site, site.parent / "shots" / "first.png", chromium=chromium)

    problems = str(failure.value).splitlines()[1:]
    named = {line.split(": ", 1)[0].rsplit("/", 1)[-1] for line in problems}
    assert named == {"run-on-table.html", "empty-output.html", "traceback.html",
                     "traceback-on-stderr.html", "prose.html"}  # fmt: skip
    assert str(failure.value).startswith(f"{len(problems)} problem(s):")
    by_page = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in problems}
    assert "markdown table shown as text" in by_page["run-on-table.html"]
    assert "markdown table shown as text" in by_page["prose.html"]
    assert "1 empty cell output(s)" in by_page["empty-output.html"]
    assert "error output \"KeyError: 'helm'\"" in by_page["traceback.html"]
    assert "error output \"KeyError: 'helm'\"" in by_page["traceback-on-stderr.html"]


def test_a_site_of_clean_pages_passes_and_every_lesson_is_screenshotted(
    site: Path, chromium: str
) -> None:
    for name in FAULTY:
        (site / "lessons" / f"{name}.html").unlink(missing_ok=True)
    (site / "book" / "prose.html").unlink()
    toc = '<a class="reference internal" href="/lessons/clean.html">clean</a>'
    write_page(site, "index.html", ["<p>The home page.</p>"], toc)
    write_page(site, "lessons/clean.html", CLEAN, toc)

    result = check_site(site, site.parent / "shots" / "first.png", chromium=chromium)

    assert result.pages == [result.home_url, result.lesson_url]  # the home page is read too
    assert result.lesson_url.endswith("/lessons/clean.html")
    assert result.first_output == "42 rows"
    assert [shot.name for shot in result.screenshots] == ["clean.png"]
    assert result.screenshots[0].parent == site.parent / "shots" / "first"
    assert result.screenshots[0].read_bytes().startswith(b"\x89PNG")
