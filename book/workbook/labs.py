"""``workbook lab``: list the labs, check a student's work, grade it, release the student copy.

- ``workbook lab list``                          — the labs, their lessons and points
- ``workbook lab check 01 [--src DIR]``          — public tests, with a hint per failure
- ``workbook lab grade 01 [--src DIR | --solution] [--hidden] [--out DIR]`` — scores, JSON, JUnit
- ``workbook lab release 01 --out DIR``          — starter, README, public tests, Classroom workflow

A mistake the user can fix (an unknown lab, a missing file, a syntax error) is one readable
message and exit status 2; failing tests are exit status 1 for ``check``.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from workbook.lab_catalog import Lab, LabError, all_labs, find_lab
from workbook.lab_release import release
from workbook.lab_runner import Grade, run_lab

USAGE_ERROR = 2

app = typer.Typer(help="Labs: list, check, grade and release them.", no_args_is_help=True)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

LabArgument = Annotated[str, typer.Argument(help="The lab's number (1, 01) or folder name.")]
SourceOption = Annotated[
    Path | None,
    typer.Option("--src", help="Folder with the code to test (default: the lab's starter/)."),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also print pytest's own report (tracebacks).")
]


def _fail(error: LabError) -> typer.Exit:
    errors.print(f"[bold red]Error:[/bold red] {escape(str(error))}")
    return typer.Exit(USAGE_ERROR)


@app.command("list")
def list_labs() -> None:
    """Show every lab with its lesson and points."""
    table = Table(title="Labs")
    table.add_column("Lab", style="bold", no_wrap=True)
    table.add_column("Lesson", no_wrap=True)
    table.add_column("Title")
    table.add_column("Public", justify="right")
    table.add_column("Hidden", justify="right")
    table.add_column("Points", justify="right")
    try:
        labs = all_labs()
    except LabError as error:
        raise _fail(error) from None
    for lab in labs:
        counts = {v: sum(t.visibility == v for t in lab.tests) for v in ("public", "hidden")}
        table.add_row(
            lab.id,
            lab.lesson,
            lab.title,
            *(f"{counts[v]} tests, {lab.max_points(v)} pts" for v in ("public", "hidden")),
            str(lab.max_points()),
        )
    console.print(table)


@app.command()
def check(lab: LabArgument, src: SourceOption = None, verbose: VerboseOption = False) -> None:
    """Run the public tests against your code and explain each failure."""
    try:
        chosen = find_lab(lab)
        grade = run_lab(chosen, src or chosen.starter, include_hidden=False)
    except LabError as error:
        raise _fail(error) from None
    _show(chosen, grade, verbose)
    if src is None:
        console.print("[dim]No --src given: this tested the lab's own starter/ folder.[/dim]")
    failed = grade.failed()
    if failed:
        console.print(
            f"[yellow]{len(failed)} of {len(grade.results)} public tests fail[/yellow] "
            f"({grade.score}/{grade.max_score} points). Fix them and run the check again."
        )
        raise typer.Exit(1)
    console.print(
        f"[green]All {len(grade.results)} public tests pass[/green] "
        f"({grade.score}/{grade.max_score} points). Hidden tests will also be graded."
    )


@app.command()
def grade(
    lab: LabArgument,
    src: SourceOption = None,
    solution: Annotated[
        bool, typer.Option("--solution", help="Grade the reference solution.")
    ] = False,
    hidden: Annotated[bool, typer.Option("--hidden", help="Include the hidden tests.")] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for <lab>.json and <lab>.junit.xml.")
    ] = Path("lab-grades"),
    verbose: VerboseOption = False,
) -> None:
    """Score a submission per test; write the scores as JSON and JUnit XML."""
    try:
        if solution and src is not None:
            raise LabError("Give either --src or --solution, not both.")
        chosen = find_lab(lab)
        source = chosen.solution if solution else src or chosen.starter
        result = run_lab(chosen, source, include_hidden=hidden)
        json_path, xml_path = result.write(out)
    except LabError as error:
        raise _fail(error) from None
    _show(chosen, result, verbose)
    scope = "public and hidden tests" if hidden else "public tests only (add --hidden to grade)"
    console.print(
        f"[bold]Score: {result.score}/{result.max_score} ({result.percent:g}%)[/bold] "
        f"on {scope}.\nWrote {json_path} and {xml_path}."
    )


@app.command("release")
def release_lab(
    lab: LabArgument,
    out: Annotated[Path, typer.Option("--out", help="New folder for the student copy.")],
    app_requirement: Annotated[
        str | None,
        typer.Option(
            help="Install reference_app with this pip requirement instead of the bundled wheel."
        ),
    ] = None,
) -> None:
    """Write the student copy: no solution, no hidden tests, a Classroom workflow."""
    try:
        chosen = find_lab(lab)
        files = release(chosen, out, app_requirement=app_requirement)
    except LabError as error:
        raise _fail(error) from None
    public = chosen.selected(include_hidden=False)
    console.print(
        f"[green]Released[/green] lab {chosen.id} to {out} ({len(files)} files): "
        f"{len(public)} public tests worth {chosen.max_points('public')} points in "
        ".github/workflows/classroom.yml. No solution, no hidden tests."
    )


def _show(lab: Lab, grade: Grade, verbose: bool) -> None:
    """One block per test: a mark, the points, and for a failure what happened and a hint.

    A list rather than a table: messages and hints are sentences, and stay readable in a narrow
    terminal.
    """
    if verbose:
        console.print(grade.output, markup=False)
    console.print(f"[bold]Lab {lab.id}[/bold]: {lab.title}\n[dim]Code tested: {grade.source}[/dim]")
    for result in grade.results:
        mark = "[green]✔[/green]" if result.passed else "[red]✘[/red]"
        hidden = " [dim](hidden)[/dim]" if result.visibility == "hidden" else ""
        console.print(
            f"{mark} {result.name}{hidden}  [dim]{result.points}/{result.max_points}[/dim]"
        )
        if not result.passed:
            console.print(_indented(f"[red]{result.outcome}[/red]: {escape(result.message)}"))
            if result.hint:
                console.print(_indented(f"[bold]Hint:[/bold] {escape(result.hint)}"))


def _indented(markup: str) -> Padding:
    return Padding(markup, (0, 0, 0, 4))
