"""The API's side of the jobs: enqueueing, always after the transaction has committed.

Routes get a :class:`JobQueue` (``JobQueueDep``) and call it once the service has committed,
so a job never refers to rows that were rolled back. That is for work the caller asked for; a
reaction to a change, whoever made it, is a change listener instead (the rule is in
``reference_app/changes.py``; ``posts/tasks.py`` has such a listener).

Publishing is a blocking call (a socket write to Redis, a file for the embedded queue), so it
runs in a thread, off the event loop.
"""

import asyncio
import uuid
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request

from reference_app.core.errors import AppError

logger = structlog.get_logger(__name__)


class JobsUnavailableError(AppError):
    status_code = 503
    message = "Background jobs are unavailable; try again shortly"


class JobQueue:
    def __init__(self, celery_app: Any) -> None:
        self.celery_app = celery_app

    async def enqueue(self, task_name: str, *args: str, task_id: uuid.UUID | None = None) -> str:
        """Send a task; raises :class:`JobsUnavailableError` when the broker cannot take it."""
        chosen_id = str(task_id or uuid.uuid4())
        try:
            await asyncio.to_thread(
                self.celery_app.send_task, task_name, args=list(args), task_id=chosen_id
            )
        except Exception as exc:
            logger.error("job_enqueue_failed", task=task_name, error=repr(exc))
            raise JobsUnavailableError() from exc
        logger.info("job_enqueued", task=task_name, task_id=chosen_id)
        return chosen_id

    async def enqueue_best_effort(self, task_name: str, *args: str) -> str | None:
        """Send a task whose loss must not fail the request (a welcome email): logs instead."""
        try:
            return await self.enqueue(task_name, *args)
        except JobsUnavailableError:
            return None

    def close(self) -> None:
        self.celery_app.close()


async def get_job_queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.services.jobs
    return queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
