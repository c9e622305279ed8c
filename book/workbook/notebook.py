"""What the lesson notebooks share, so that each lesson's hidden set-up cell stays short.

Lessons show the real code that runs, never a retyped copy (:func:`show_source`,
:func:`show_file`), and run the same pinned tools the infrastructure tests run
(:func:`find_tool`, on :mod:`workbook.tools`). Written once here rather than in every lesson.
"""

import inspect
from collections.abc import Iterable, Sequence
from pathlib import Path

from IPython.display import Markdown

from workbook.tools import REPO_ROOT, in_ci, locate

__all__ = ["REPO_ROOT", "MissingToolError", "find_tool", "show_file", "show_source", "show_table"]


def show_source(obj: object) -> Markdown:
    """Display the real source code of a function, class or module from reference_app."""
    return Markdown(f"````python\n{inspect.getsource(obj)}````")


def show_file(path: Path, language: str = "yaml") -> Markdown:
    """Display a file of the repository as it is committed."""
    relative = path.relative_to(REPO_ROOT)
    return Markdown(f"`{relative}`\n\n````{language}\n{path.read_text()}````")


class MissingToolError(RuntimeError):
    """A lesson's tool is missing where the book is built for publishing (``CI`` is set)."""


def find_tool(name: str, install_script: str) -> str | None:
    """A tool's path (.tools/bin first, then PATH), or None after saying how to get it.

    On a reader's machine a missing tool skips its step, with the command that installs it.
    Under CI it is an error: the published book must show every step run, never "skipped".
    """
    path = locate(name)
    if path is None:
        if in_ci():  # the same test as the infrastructure tests' require_tool
            raise MissingToolError(
                f"{name} is required to build the book in CI; `{install_script}` installs it"
            )
        print(f"{name} is not installed here; `{install_script}` installs it. Step skipped.")
    return path


def show_table(header: list[str], rows: Iterable[Sequence[object]]) -> Markdown:
    """Display rows as a table: a Markdown (GFM) table that the book renders as HTML.

    The book parses displayed Markdown as MyST (``nb_render_markdown_format: myst`` in
    ``_config.yml``), which knows tables; CommonMark, the default, would show the rows as one
    run-on paragraph. A ``|`` or a line break inside a cell would end the cell or the row, so
    each is escaped or replaced. Markup in a cell (`` `code` ``, ``**bold**``) renders.
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = (str(cell).replace("|", r"\|").replace("\n", "<br>") for cell in row)
        lines.append("| " + " | ".join(cells) + " |")
    return Markdown("\n".join(lines))
