"""The profiles feature's background tasks: the email-changed notice and the data export.

- The notice is sent at most once (:mod:`reference_app.task_queue.sending`).
- An export finishes with a conditional ``UPDATE jobs ... WHERE status <> 'done'``: only one
  delivery stores a result and announces it. Its job row (``task_queue/models.py``) is what
  the owner follows at ``GET /jobs/{id}``.

Missing data is not an error: a user deleted before the job ran means there is nothing left to
do, and the task returns ``SKIPPED`` (no retry, no dead letter).
"""

import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.changes import ChangeAction, ChangeEvent
from reference_app.core.database import utcnow
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostRead
from reference_app.task_queue.base import LONG_TASK_LIMITS, JobTask, TaskContext, TaskSpec
from reference_app.task_queue.email import build_message
from reference_app.task_queue.models import Job, JobStatus
from reference_app.task_queue.sending import DUPLICATE, SKIPPED, email_retention, send_once
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoRead
from reference_app.users.models import User
from reference_app.users.schemas import UserRead

# The names messages carry, kept from when these tasks lived in ``jobs/`` (queued messages).
SEND_EMAIL_CHANGED_NOTICE = "reference_app.jobs.send_email_changed_notice"
EXPORT_USER_DATA = "reference_app.jobs.export_user_data"

EXPORT_KIND = "export"


def send_email_changed_notice(self: JobTask, old_email: str, new_email: str, change_id: str) -> str:
    """Tell the old address that the account's email changed: if the owner did not change it,
    this is the one message that still reaches them (every later one goes to the new address).
    """

    async def work(context: TaskContext) -> str:
        async def compose(session: AsyncSession) -> EmailMessage | None:
            return build_message(
                context.settings,
                to=old_email,
                subject="Your email address was changed",
                body=f"The email address of your {context.settings.project_name} account was "
                f"changed from {old_email} to {new_email}.\n\n"
                "If you did not change it, someone else may have access to your account: "
                "contact support at once (a password reset would go to the new address).\n",
            )

        return await send_once(
            context, f"email_changed:{change_id}", compose, keep_for=email_retention(context)
        )

    return self.run_async(work)


def job_event(job_id: uuid.UUID, owner_id: uuid.UUID, status: JobStatus) -> ChangeEvent:
    """``job.updated``, for the job's owner only (``public=False``)."""
    return ChangeEvent(
        entity="job",
        action=ChangeAction.UPDATED,
        entity_id=job_id,
        owner_id=owner_id,
        public=False,
        data={"kind": EXPORT_KIND, "status": status.value},
    )


async def build_export(session: AsyncSession, user: User) -> dict[str, Any]:
    """Everything the app holds about ``user`` (GDPR art. 15/20), as JSON-ready data."""
    posts = await session.scalars(
        select(Post).where(col(Post.author_id) == user.id).order_by(col(Post.created_at))
    )
    todos = await session.scalars(
        select(Todo).where(col(Todo.owner_id) == user.id).order_by(col(Todo.created_at))
    )
    return {
        "exported_at": utcnow().isoformat(),
        "profile": UserRead.model_validate(user).model_dump(mode="json"),
        "posts": [PostRead.model_validate(post).model_dump(mode="json") for post in posts],
        "todos": [TodoRead.model_validate(todo).model_dump(mode="json") for todo in todos],
    }


class ExportTask(JobTask):
    """An export has a visible status: failing for good marks the job ``failed``."""

    async def on_dead(self, context: TaskContext, args: list[Any], error: str) -> None:
        job_id = uuid.UUID(str(args[0]))
        now = utcnow()
        retention = timedelta(days=context.settings.export_retention_days)
        async with context.sessionmaker() as session:
            job = await session.get(Job, job_id)
            if job is None or job.status == JobStatus.DONE:
                return
            job.status = JobStatus.FAILED.value
            job.error = error[:1000]
            job.finished_at = now
            job.expires_at = now + retention
            await session.commit()
        await context.notifier.notify(job_event(job_id, job.owner_id, JobStatus.FAILED))


def export_user_data(self: JobTask, job_id: str) -> str:
    async def work(context: TaskContext) -> str:
        job_uuid = uuid.UUID(job_id)
        async with context.sessionmaker() as session:
            job = await session.get(Job, job_uuid)
            if job is None:  # the user was deleted, and their jobs with them
                return SKIPPED
            if job.status == JobStatus.DONE:
                return DUPLICATE
            job.status = JobStatus.RUNNING.value
            job.attempts += 1
            owner_id = job.owner_id
            await session.commit()

            user = await session.get(User, owner_id)
            if user is None:
                return SKIPPED
            result = await build_export(session, user)
            now = utcnow()
            finished = await session.execute(
                update(Job)
                .where(col(Job.id) == job_uuid, col(Job.status) != JobStatus.DONE.value)
                .values(
                    status=JobStatus.DONE.value,
                    result=result,
                    error=None,
                    finished_at=now,
                    expires_at=now + timedelta(days=context.settings.export_retention_days),
                )
            )
            if finished.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return DUPLICATE  # another delivery finished first
            await session.commit()
        await context.notifier.notify(job_event(job_uuid, owner_id, JobStatus.DONE))
        return "done"

    return self.run_async(work)


TASKS = [
    TaskSpec(SEND_EMAIL_CHANGED_NOTICE, send_email_changed_notice),
    TaskSpec(EXPORT_USER_DATA, export_user_data, ExportTask, LONG_TASK_LIMITS),
]
