"""What every task shares: retries with back-off, dead letters, and running async code.

**Retries.** A task that raises a transient error (``TRANSIENT_ERRORS``: SMTP or network
trouble, a database that is down) is retried up to ``APP_JOBS_MAX_RETRIES`` (3) times after
``base * 2**retry`` seconds with "equal jitter" (half fixed, half random, so a burst of failures
does not retry in lockstep). Celery's own ``retry_backoff`` only takes whole seconds; computing
the countdown here lets tests use a tenth of a second. Any other error is permanent and is not
retried.

**Dead letters.** A task that fails for good — retries exhausted, or a permanent error — is
recorded in ``dead_letters`` (task, arguments, error, attempts, time) by
:meth:`JobTask.on_failure`, so a superuser can look at it and re-drive it.

**Delivery.** ``acks_late`` + ``reject_on_worker_lost``: a message is acknowledged after the
task finishes, so a worker that dies mid-task leaves it to be delivered again. Tasks are
therefore written to be idempotent (:mod:`reference_app.task_queue.sending` sends an email once;
each feature's ``tasks.py`` says how its tasks are).

**Async code in sync tasks.** Celery tasks are synchronous; the services are async. Each task
runs its coroutine with ``asyncio.run`` — a fresh event loop — on an engine with ``NullPool``.
Pooled connections (asyncpg's, aiosqlite's threads) belong to the loop that opened them and
cannot be reused by the next task's loop; a connection per task costs a millisecond against a
job that sends an email. The alternative, a second, synchronous data layer for the worker,
would duplicate every query the services already have.
"""

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.changes import ChangeListener, ChangeNotifier
from reference_app.core.config import Settings
from reference_app.core.database import create_engine, create_sessionmaker
from reference_app.shared_redis.connection import create_redis
from reference_app.task_queue.email import EmailBackend
from reference_app.task_queue.errors import TransientJobError
from reference_app.task_queue.models import DeadLetter
from reference_app.task_queue.observability import record_dead_letter
from reference_app.task_queue.runtime import JobRuntime, runtime_of

logger = structlog.get_logger(__name__)

T = TypeVar("T")

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientJobError,
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    SoftTimeLimitExceeded,
)
"""Errors worth retrying: the same task may well succeed in a minute."""


@dataclass
class TaskContext:
    """One task run's resources, valid inside :meth:`JobTask.run_async`."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: ChangeNotifier
    email: EmailBackend


def backoff_seconds(settings: Settings, retries: int) -> float:
    """Exponential back-off with equal jitter: in [ceiling/2, ceiling]."""
    ceiling = min(
        settings.jobs_retry_backoff_max_seconds,
        settings.jobs_retry_backoff_seconds * float(2**retries),
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (not cryptographic)


@asynccontextmanager
async def task_context(runtime: JobRuntime) -> AsyncIterator[TaskContext]:
    settings = runtime.settings
    engine = create_engine(settings, pooled=False)
    redis = None
    listeners: list[ChangeListener] = list(runtime.in_process_listeners)
    if not listeners and runtime.event_publisher is not None:
        redis = create_redis(settings)  # None without APP_REDIS_URL: nothing to announce on
        if redis is not None:
            listeners.append(runtime.event_publisher(settings, redis))
    try:
        yield TaskContext(
            settings=settings,
            sessionmaker=create_sessionmaker(engine),
            notifier=ChangeNotifier(listeners),
            email=runtime.email,
        )
    finally:
        await engine.dispose()
        if redis is not None:
            await redis.aclose()


class JobTask(Task):  # type: ignore[misc]  # celery ships no type information
    """Base class of every task of the app."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    @property
    def runtime(self) -> JobRuntime:
        return runtime_of(self.app)

    def run_async(self, work: Callable[[TaskContext], Awaitable[T]]) -> T:
        """Run ``work`` on a fresh event loop with this task's resources."""

        async def main() -> T:
            async with task_context(self.runtime) as context:
                return await work(context)

        return asyncio.run(main())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
            settings = self.runtime.settings
            retries: int = self.request.retries
            if retries >= settings.jobs_max_retries:
                raise  # exhausted: Celery marks the task failed and calls on_failure
            countdown = backoff_seconds(settings, retries)
            logger.warning(
                "job_retry",
                task=self.name,
                task_id=self.request.id,
                retry=retries + 1,
                countdown=round(countdown, 3),
                error=repr(exc),
            )
            raise self.retry(
                exc=exc, countdown=countdown, max_retries=settings.jobs_max_retries
            ) from exc

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        """Failed for good: record a dead letter, then let the task react (``on_dead``)."""
        attempts = int(self.request.retries or 0) + 1
        error = f"{type(exc).__name__}: {exc}"
        logger.error(
            "job_dead_lettered", task=self.name, task_id=task_id, attempts=attempts, error=error
        )
        record_dead_letter(self.name)

        async def record(context: TaskContext) -> None:
            async with context.sessionmaker() as session:
                session.add(
                    DeadLetter(
                        task_id=task_id,
                        task_name=self.name,
                        task_args=list(args or []),
                        task_kwargs=dict(kwargs or {}),
                        error=error[:10_000],
                        attempts=attempts,
                    )
                )
                await session.commit()
            await self.on_dead(context, list(args or []), error)

        try:
            self.run_async(record)
        except Exception:  # the task is lost anyway; say so loudly
            logger.exception("dead_letter_not_recorded", task=self.name, task_id=task_id)

    async def on_dead(self, context: TaskContext, args: list[Any], error: str) -> None:
        """Called once the task has failed for good; tasks with a visible status update it."""


EMAIL_LIMITS = {"soft_time_limit": 5 * 60, "time_limit": 5 * 60 + 30}
"""Time limits in seconds (soft, then hard) for a task that sends an email."""

LONG_TASK_LIMITS = {"soft_time_limit": 10 * 60, "time_limit": 10 * 60 + 30}
"""Time limits in seconds for a task that works through many rows (an export, the cleanup)."""


@dataclass(frozen=True)
class TaskSpec:
    """One task as the Celery app registers it: its name (what messages carry), its function,
    its base class and its time limits. Each feature lists its own in its ``tasks.py``."""

    name: str
    function: Callable[..., Any]
    base: type[JobTask] = JobTask
    limits: dict[str, int] = field(default_factory=lambda: dict(EMAIL_LIMITS))
