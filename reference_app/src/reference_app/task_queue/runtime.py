"""What a Celery app's tasks need from the process they run in: its :class:`JobRuntime`.

Its own module because both the tasks' base class (``task_queue/base.py``) and the worker's signal
handlers (``task_queue/observability.py``) read it, and the base class reports dead letters to the
signal handlers' module: kept in either one, the two would import each other.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from redis.asyncio import Redis

from reference_app.changes import ChangeListener
from reference_app.core.config import Settings
from reference_app.task_queue.email import EmailBackend

EventPublisher = Callable[[Settings, Redis], ChangeListener]


@dataclass
class JobRuntime:
    """What tasks need from the process they run in; attached to the Celery app.

    ``in_process_listeners`` is set when the worker runs inside the API process (the embedded
    default): changes are then handed to that app's own listeners (cache, SSE broker).
    Otherwise, when Redis is configured, a task announces changes through ``event_publisher``:
    given the settings and a Redis client, it returns the listener that publishes to the live
    event stream. It is passed in (``jobs/registry.py`` does) because the event stream is a
    feature, and this package imports none.
    """

    settings: Settings
    email: EmailBackend
    in_process_listeners: Sequence[ChangeListener] = field(default_factory=list)
    event_publisher: EventPublisher | None = None


def runtime_of(app: Any) -> JobRuntime:
    return cast(JobRuntime, app.refapp_runtime)
