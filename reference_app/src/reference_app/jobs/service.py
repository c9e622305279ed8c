"""Jobs as the API sees them: read a job, list and re-drive dead letters."""

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from reference_app.api.pagination import Page, PageParams, build_page, paginate
from reference_app.core.database import utcnow
from reference_app.core.errors import ConflictError, NotFoundError
from reference_app.task_queue.models import DeadLetter, Job
from reference_app.task_queue.queue import JobQueue, JobsUnavailableError
from reference_app.task_queue.schemas import DeadLetterRead


async def read_job(session: AsyncSession, job_id: uuid.UUID, viewer_id: uuid.UUID) -> Job:
    """Someone else's job is reported as missing: its existence is private."""
    job = await session.get(Job, job_id)
    if job is None or job.owner_id != viewer_id:
        raise NotFoundError("job", job_id)
    return job


async def list_dead_letters(session: AsyncSession, params: PageParams) -> Page[DeadLetterRead]:
    statement = select(DeadLetter).order_by(
        col(DeadLetter.failed_at).desc(), col(DeadLetter.id).desc()
    )
    letters, total = await paginate(session, statement, params)
    return build_page([DeadLetterRead.model_validate(item) for item in letters], total, params)


async def redrive(session: AsyncSession, queue: JobQueue, letter_id: uuid.UUID) -> DeadLetter:
    """Enqueue the dead letter's task again, with the same arguments, once.

    The letter is claimed (``redriven_at``) and committed before the task is sent; if sending
    fails, the claim is undone so it can be tried again.
    """
    letter = await session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFoundError("dead letter", letter_id)
    claimed = await session.execute(
        update(DeadLetter)
        .where(col(DeadLetter.id) == letter_id, col(DeadLetter.redriven_at).is_(None))
        .values(redriven_at=utcnow())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise ConflictError("This dead letter was already re-driven")
    await session.commit()
    try:
        await queue.enqueue(letter.task_name, *(str(arg) for arg in letter.task_args))
    except JobsUnavailableError:
        letter.redriven_at = None
        await session.commit()
        raise
    await session.refresh(letter)
    return letter
