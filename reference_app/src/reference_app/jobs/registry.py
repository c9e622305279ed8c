"""Every background task of the app, and the Celery app that runs them.

Like ``routers.py`` for the routes, this is where the features' tasks come together: each
feature lists its own in its ``tasks.py``; :func:`create_jobs_app` registers them all on a Celery
app, with Beat's schedule and the live event stream for what the tasks announce. The API
(``services.py``), the worker (``jobs/celery_app.py``) and the tests all build it here.
"""

from typing import Any

from redis.asyncio import Redis

from reference_app.auth import tasks as auth_tasks
from reference_app.changes import ChangeListener
from reference_app.core.config import Settings
from reference_app.events import create_broker
from reference_app.jobs import cleanup
from reference_app.posts import tasks as posts_tasks
from reference_app.profiles import tasks as profiles_tasks
from reference_app.task_queue.base import TaskSpec
from reference_app.task_queue.email import create_email_backend
from reference_app.task_queue.factory import create_celery_app, parse_cron
from reference_app.task_queue.runtime import JobRuntime

TASKS: list[TaskSpec] = [
    *auth_tasks.TASKS,
    *profiles_tasks.TASKS,
    *posts_tasks.TASKS,
    *cleanup.TASKS,
]


def publish_to_event_stream(settings: Settings, redis: Redis) -> ChangeListener:
    """What a worker task announces goes to the live event stream (``GET /events``)."""
    return create_broker(settings, redis).publish


def create_jobs_app(settings: Settings, runtime: JobRuntime | None = None) -> Any:
    """The app's Celery app: every task registered, the daily cleanup scheduled.

    ``runtime`` is what tasks use when they run in this process (default: built from
    ``settings``, announcing changes through the event stream).
    """
    return create_celery_app(
        settings,
        TASKS,
        beat_schedule={
            "daily-cleanup": {
                "task": cleanup.DAILY_CLEANUP,
                "schedule": parse_cron(settings.jobs_cleanup_schedule),
            }
        },
        runtime=runtime
        or JobRuntime(
            settings=settings,
            email=create_email_backend(settings),
            event_publisher=publish_to_event_stream,
        ),
    )
