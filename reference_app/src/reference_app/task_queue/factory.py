"""Building a Celery app from the settings.

**Broker.** ``APP_CELERY_BROKER_URL``, else ``APP_REDIS_URL`` (production and CI: Redis), else
the *embedded queue*: kombu's ``filesystem://`` transport (with atomic writes, see
:mod:`~reference_app.task_queue.file_queue`), one file per message in a directory
(``APP_JOBS_QUEUE_DIR``, by default next to the SQLite database). Chosen because it needs no
service at all and still behaves like a broker: messages survive a restart, any process can
enqueue (``reference-app jobs redrive`` from a shell reaches the server's worker), and a message
is claimed by renaming its file, which is atomic, so several consumers never both take it. The
alternatives were worse fits: ``memory://`` loses every queued job at a restart and cannot be
reached from another process; kombu's SQLAlchemy transport on SQLite works too but relies on a
loader strategy SQLAlchemy 2.1 deprecates, and needs a subclass for its polling interval. With
the embedded queue, the API process runs the worker itself, in a thread
(:mod:`reference_app.task_queue.embedded`), so ``reference-app serve`` alone runs jobs, for real and
asynchronously.

**Results.** Not stored by Celery (``task_ignore_result``): what a client may read about a job
lives in the app's own ``jobs`` table, with its owner and its retention.

**Tasks and schedule.** This package knows no feature: the caller passes the tasks to register
and Beat's schedule. ``jobs/registry.py`` passes every feature's tasks, and the daily cleanup at
``APP_JOBS_CLEANUP_SCHEDULE`` (cron, UTC; default ``0 2 * * *``).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from celery import Celery
from celery.schedules import crontab

from reference_app.core.config import Settings
from reference_app.task_queue import file_queue
from reference_app.task_queue.base import TaskSpec
from reference_app.task_queue.email import create_email_backend
from reference_app.task_queue.observability import install_signal_handlers
from reference_app.task_queue.runtime import JobRuntime

EMBEDDED_POLLING_SECONDS = 0.25
"""How often the embedded worker looks for new messages (Redis pushes them instead)."""


def parse_cron(expression: str) -> crontab:
    """``minute hour day-of-month month day-of-week``, like crontab(5)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields, not {len(fields)}: {expression!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def embedded_queue_options(directory: Path) -> dict[str, Any]:
    for name in ("queue", "control"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(directory / "queue"),
        "data_folder_out": str(directory / "queue"),
        "control_folder": str(directory / "control"),
        "polling_interval": EMBEDDED_POLLING_SECONDS,
    }


def create_celery_app(
    settings: Settings,
    tasks: Sequence[TaskSpec] = (),
    *,
    beat_schedule: Mapping[str, Mapping[str, Any]] | None = None,
    runtime: JobRuntime | None = None,
) -> Any:
    """A Celery app configured from ``settings``, with ``tasks`` registered.

    ``beat_schedule`` is Celery's (what Beat sends, and when); ``runtime`` is what tasks use
    when they run here (default: built from ``settings``).
    """
    app = Celery("reference_app", set_as_current=False)
    transport_options: dict[str, Any] = {}
    transport: str | None = None  # from the broker URL's scheme
    if settings.uses_embedded_queue:
        transport_options = embedded_queue_options(settings.embedded_queue_dir)
        transport = file_queue.TRANSPORT  # filesystem://, with atomic writes
    elif settings.celery_key_prefix:
        transport_options = {"global_keyprefix": settings.celery_key_prefix}
    app.conf.update(
        broker_url=settings.jobs_broker_url,
        broker_transport=transport,
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One message at a time per worker process: with acks_late, a prefetched message would
        # wait behind a slow one, and be redelivered late if the worker died.
        worker_prefetch_multiplier=1,
        # The embedded worker is the only consumer of its queue; nothing to control remotely.
        worker_enable_remote_control=not settings.uses_embedded_queue,
        worker_hijack_root_logger=False,
        timezone="UTC",
        enable_utc=True,
        beat_schedule=dict(beat_schedule or {}),
    )
    app.refapp_runtime = runtime or JobRuntime(
        settings=settings, email=create_email_backend(settings)
    )
    for task in tasks:
        # shared=False: registered on this app only, not on every app Celery ever creates.
        app.task(name=task.name, base=task.base, bind=True, shared=False, **task.limits)(
            task.function
        )
    install_signal_handlers()
    return app
