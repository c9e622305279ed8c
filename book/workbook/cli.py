"""The ``workbook`` command: the reader's and the instructor's entry point.

- ``workbook serve``  — the finished app on the embedded default (SQLite, no services)
- ``workbook doctor`` — what this machine has for each chapter, and what to do if it is missing
- ``workbook book``   — build the book (every lesson executed) and say where to open it
- ``workbook lab``    — list, check, grade and release the labs (see ``workbook.labs``)
"""

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workbook import execution_cache, labs
from workbook.doctor import run_checks

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
EXECUTION_CACHE = REPOSITORY_ROOT / "_build" / ".jupyter_cache"

app = typer.Typer(help="The FastAPI Production Workbook.", no_args_is_help=True)
console = Console()
app.add_typer(labs.app, name="lab")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the finished app on the embedded default (SQLite, migrations applied)."""
    from reference_app.cli import serve as serve_app

    serve_app(host=host, port=port, workers=1, reload=False)


@app.command()
def doctor() -> None:
    """Show what this machine has for the workbook's chapters."""
    table = Table(title="What this machine has", show_lines=False)
    table.add_column("")
    table.add_column("Item", style="bold")
    table.add_column("Found")
    table.add_column("Needed for")
    table.add_column("If missing")
    for finding in run_checks():
        mark = "[green]✔[/green]" if finding.found else "[yellow]✘[/yellow]"
        table.add_row(
            mark,
            finding.name,
            finding.detail,
            finding.needed_for,
            "" if finding.found else finding.remedy,
        )
    console.print(table)


@app.command()
def book(
    strict: Annotated[bool, typer.Option(help="Fail on any warning (-n -W).")] = True,
    fresh: Annotated[
        bool, typer.Option(help="Execute every lesson again, ignoring the execution cache.")
    ] = False,
) -> None:
    """Build the book, executing every lesson, and print where to open it.

    Lessons whose code did not change come from the execution cache, unless the machine
    changed since (a tool installed, Redis started): then every lesson runs again.
    """
    # The jupyter-book script installed beside this interpreter (the project's environment).
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(REPOSITORY_ROOT)]
    if reason := execution_cache.prepare(EXECUTION_CACHE, fresh=fresh):
        console.print(f"[bold]Executing every lesson again[/bold]: {reason}")
        # Sphinx re-reads only pages whose source changed; an emptied cache needs them all.
        command.append("--all")
    if strict:
        command += ["-n", "-W", "--keep-going"]
    console.print(f"[bold]Building[/bold]: jupyter-book {' '.join(command[1:])}")
    result = subprocess.run(command, check=False)  # noqa: S603 - our own fixed command
    if result.returncode != 0:
        console.print(f"[red]The build failed[/red] (exit {result.returncode}); see above.")
        raise typer.Exit(result.returncode)
    index = REPOSITORY_ROOT / "_build" / "html" / "index.html"
    console.print(f"[green]Built.[/green] Open {index.as_uri()}")
