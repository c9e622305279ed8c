"""The lessons' tables are tables: :func:`workbook.notebook.show_table` writes Markdown that the
book's parser turns into an HTML ``<table>``, one row per row, whatever the cells contain.

The browser check finds a run-on table on the built site; these tests say why one would appear
before any book is built: CommonMark, myst-nb's default for displayed Markdown, has no tables,
so ``_config.yml`` must keep ``nb_render_markdown_format: myst``.

Run alone: ``uv run pytest book/tests/test_browser_check_tables.py --no-cov -p no:randomly``
"""

from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from workbook.notebook import show_table

REPO = Path(__file__).resolve().parents[2]
ROWS = [["helm", "`.tools/bin/helm`"], ["a|b", "two\nlines"], ["checkov", 92]]


def render_as_the_book_does(markdown: str) -> str:
    """HTML from the parser myst-nb uses for displayed Markdown under the book's setting."""
    return create_md_parser(MdParserConfig(), RendererHTML).render(markdown)


def test_the_book_parses_displayed_markdown_as_myst() -> None:
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert config["sphinx"]["config"]["nb_render_markdown_format"] == "myst"


def test_a_table_renders_as_a_table_with_one_row_per_row() -> None:
    html = render_as_the_book_does(show_table(["tool", "found at"], ROWS).data)

    assert html.count("<table>") == 1
    assert html.count("<th>") == 2
    assert html.count("<tr>") == 1 + len(ROWS)
    assert "<td><code>.tools/bin/helm</code></td>" in html  # markup in a cell renders
    assert "<td>a|b</td>" in html  # a pipe in a cell stays in its cell
    assert "<td>two<br>lines</td>" in html  # a line break does not end the row
    assert "<td>92</td>" in html
    assert "|" not in html.replace("a|b", "")


def test_commonmark_would_print_the_same_table_as_one_paragraph() -> None:
    html = MarkdownIt("commonmark").render(show_table(["tool", "found at"], ROWS).data)

    assert "<table>" not in html
    assert html.startswith("<p>| tool | found at |")
