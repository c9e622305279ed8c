"""Starting a data export: the one profile action that runs in the background."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.profiles.tasks import EXPORT_KIND, EXPORT_USER_DATA
from reference_app.task_queue.models import Job
from reference_app.task_queue.queue import JobQueue, JobsUnavailableError


async def start_export(session: AsyncSession, queue: JobQueue, owner_id: uuid.UUID) -> Job:
    """Record the job, commit, then enqueue it (its id is the task id)."""
    job = Job(kind=EXPORT_KIND, owner_id=owner_id)
    session.add(job)
    await session.commit()
    try:
        await queue.enqueue(EXPORT_USER_DATA, str(job.id), task_id=job.id)
    except JobsUnavailableError:
        await session.delete(job)  # nothing will ever run it
        await session.commit()
        raise
    return job
