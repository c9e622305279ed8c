"""HTTP routes for jobs: a job's status (its owner), and dead letters (superusers)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from reference_app.api.deps import SessionDep
from reference_app.api.pagination import Page, PageParamsDep
from reference_app.auth.dependencies import CurrentUser
from reference_app.core.errors import ERROR_RESPONSES, PermissionDeniedError
from reference_app.jobs import service
from reference_app.task_queue.models import DeadLetter, Job
from reference_app.task_queue.queue import JobQueueDep
from reference_app.task_queue.schemas import DeadLetterRead, JobRead
from reference_app.users.schemas import UserRead

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=ERROR_RESPONSES)


async def require_superuser(user: CurrentUser) -> UserRead:
    if not user.is_superuser:
        raise PermissionDeniedError("Only a superuser can do this")
    return user


Superuser = Annotated[UserRead, Depends(require_superuser)]


@router.get(
    "/dead-letters",
    response_model=Page[DeadLetterRead],
    summary="Tasks that failed for good, newest first (superusers)",
)
async def list_dead_letters(
    session: SessionDep, _: Superuser, params: PageParamsDep
) -> Page[DeadLetterRead]:
    return await service.list_dead_letters(session, params)


@router.post(
    "/dead-letters/{letter_id}/retry",
    response_model=DeadLetterRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Enqueue a dead letter's task again (superusers)",
)
async def redrive_dead_letter(
    letter_id: uuid.UUID, session: SessionDep, _: Superuser, queue: JobQueueDep
) -> DeadLetter:
    return await service.redrive(session, queue, letter_id)


@router.get("/{job_id}", response_model=JobRead, summary="A job of yours: status and result")
async def read_job(job_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Job:
    return await service.read_job(session, job_id, user.id)
