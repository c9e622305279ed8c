"""The ``reference-app`` command: serve, migrate, create a superuser, manage dead letters."""

import asyncio
import enum
import os
import tempfile
import uuid
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console

from reference_app.api.pagination import PageParams
from reference_app.core.config import get_settings
from reference_app.core.database import create_sessionmaker, engine_scope, upgrade_database
from reference_app.core.errors import AppError
from reference_app.jobs import service as jobs_service
from reference_app.task_queue.factory import create_celery_app
from reference_app.task_queue.queue import JobQueue
from reference_app.task_queue.schemas import DeadLetterRead
from reference_app.users import service as users_service
from reference_app.users.models import User
from reference_app.users.schemas import UserCreate

app = typer.Typer(help="The FastAPI Production Workbook's reference application.")
console = Console(stderr=True)


class ServerLoop(enum.StrEnum):
    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"


SERVER_LOOP = ServerLoop.ASYNCIO
"""The event loop ``serve`` runs by default: the standard library's, not uvloop.

uvloop costs less per request, but when the server is busy it serves connections unfairly: with
many clients keeping one process saturated, some of them wait far longer under uvloop, at nearly
the same throughput. For an API, a tail of seconds under load is worse than a few percent of
throughput. The workbook's ``bench/loop_fairness.py`` measures it. ``--loop uvloop`` is there
for those who measure otherwise.
"""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    loop: Annotated[
        ServerLoop, typer.Option(help="Event loop (see SERVER_LOOP in reference_app/cli.py).")
    ] = SERVER_LOOP,
) -> None:
    """Start the API server (migrations are applied first in development)."""
    settings = get_settings()  # fail now, with the settings error, rather than in every worker
    if workers > 1 and settings.should_auto_migrate:
        # Each worker would migrate in its own start-up, all at once: on an empty database two
        # of them create the same table, one fails, and uvicorn stops the server. So migrate
        # once here, and tell the workers (new processes, reading the environment) not to.
        asyncio.run(_migrate())
        os.environ["APP_AUTO_MIGRATE"] = "false"
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker counts on its own; a fresh directory lets /metrics add them all up
        # (the workers are new processes, which read the variable when they start).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="reference-app-metrics-")
    console.print(f"[bold]Serving[/bold] on http://{host}:{port}  (docs: /docs)")
    uvicorn.run(
        "reference_app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        loop=loop.value,
        access_log=False,
        proxy_headers=False,
        log_config=None,
    )


async def _migrate() -> None:
    async with engine_scope(get_settings()) as engine:
        await upgrade_database(engine)


@app.command()
def migrate() -> None:
    """Apply every pending database migration."""
    asyncio.run(_migrate())
    console.print("[green]Database is up to date.[/green]")


async def _create_superuser(data: UserCreate) -> User:
    async with engine_scope(get_settings()) as engine, create_sessionmaker(engine)() as session:
        return await users_service.create_superuser(session, data)


@app.command("create-superuser")
def create_superuser(
    email: Annotated[str, typer.Option(prompt=True, help="The superuser's email.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="APP_SUPERUSER_PASSWORD",
            help="8+ characters, not a common password (or set APP_SUPERUSER_PASSWORD).",
        ),
    ],
) -> None:
    """Create the first superuser (the database must be migrated)."""
    try:
        data = UserCreate(email=email, password=password)
        user = asyncio.run(_create_superuser(data))
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        console.print(f"[red]Invalid input:[/red] {problems}")
        raise typer.Exit(code=2) from exc
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"[green]Superuser created:[/green] {user.email} ({user.id})")


jobs_app = typer.Typer(help="Background jobs: dead letters.")
app.add_typer(jobs_app, name="jobs")


async def _dead_letters(limit: int) -> list[DeadLetterRead]:
    async with engine_scope(get_settings()) as engine, create_sessionmaker(engine)() as session:
        page = await jobs_service.list_dead_letters(session, PageParams(page=1, page_size=limit))
        return page.items


@jobs_app.command("dead-letters")
def dead_letters(
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many, newest first.")] = 20,
) -> None:
    """List the tasks that failed for good."""
    letters = asyncio.run(_dead_letters(limit))
    if not letters:
        console.print("[green]No dead letters.[/green]")
    for letter in letters:
        state = "re-driven" if letter.redriven_at else "waiting"
        typer.echo(
            f"{letter.id}  {letter.failed_at:%Y-%m-%d %H:%M}  {letter.task_name}"
            f"  args={letter.task_args}  attempts={letter.attempts}  {state}  {letter.error}"
        )


async def _redrive(letter_id: uuid.UUID) -> str:
    settings = get_settings()
    queue = JobQueue(create_celery_app(settings))
    try:
        async with engine_scope(settings) as engine, create_sessionmaker(engine)() as session:
            letter = await jobs_service.redrive(session, queue, letter_id)
            return letter.task_name
    finally:
        queue.close()


@jobs_app.command()
def redrive(letter_id: Annotated[uuid.UUID, typer.Argument(help="The dead letter's id.")]) -> None:
    """Enqueue a dead letter's task again, with the same arguments."""
    try:
        task_name = asyncio.run(_redrive(letter_id))
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"[green]Re-driven:[/green] {task_name}")
