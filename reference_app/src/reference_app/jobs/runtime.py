"""What a Celery app's tasks need from the process they run in: its :class:`JobRuntime`.

Its own module because both the tasks' base class (``jobs/base.py``) and the worker's signal
handlers (``jobs/observability.py``) read it, and the base class reports dead letters to the
signal handlers' module: kept in either one, the two would import each other.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from reference_app.changes import ChangeListener
from reference_app.core.config import Settings
from reference_app.jobs.email import EmailBackend


@dataclass
class JobRuntime:
    """What tasks need from the process they run in; attached to the Celery app.

    ``in_process_listeners`` is set when the worker runs inside the API process (the embedded
    default): changes are then handed to that app's own listeners (cache, SSE broker).
    Otherwise a task announces changes through the Redis event stream when Redis is configured.
    """

    settings: Settings
    email: EmailBackend
    in_process_listeners: Sequence[ChangeListener] = field(default_factory=list)


def runtime_of(app: Any) -> JobRuntime:
    return cast(JobRuntime, app.refapp_runtime)
