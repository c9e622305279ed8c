"""The tasks, and what makes each of them idempotent.

A message can be delivered twice (a worker dies after the work but before the acknowledgement,
or a dead letter is re-driven), so every task checks before it acts:

- **Emails** claim a key in ``sent_emails`` (``welcome:<user>``, ``password_reset:<request>``,
  ``email_changed:<change>``, ``post_published:<post>``) in the same transaction that sends: a
  second delivery hits the primary key and sends nothing; a send that fails rolls the claim
  back, so a retry sends.
- **Exports** finish with a conditional ``UPDATE jobs ... WHERE status <> 'done'``: only one
  delivery stores a result and announces it.
- **Cleanup** deletes rows by age: running it twice deletes nothing more.

Missing data is not an error: a user or post deleted before its job ran means there is nothing
left to do, and the task returns ``"skipped"`` (no retry, no dead letter).
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import structlog
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.auth.models import PasswordResetToken, RefreshToken, RevokedAccessToken
from reference_app.auth.password_reset import issue_token
from reference_app.changes import ChangeAction, ChangeEvent
from reference_app.core.database import utcnow
from reference_app.jobs.base import JobTask, TaskContext
from reference_app.jobs.email import build_message
from reference_app.jobs.models import DeadLetter, Job, JobStatus, SentEmail
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostRead
from reference_app.todos.models import Todo
from reference_app.todos.schemas import TodoRead
from reference_app.users import service as users_service
from reference_app.users.models import User
from reference_app.users.schemas import UserRead

logger = structlog.get_logger(__name__)

SEND_WELCOME_EMAIL = "reference_app.jobs.send_welcome_email"
SEND_PASSWORD_RESET_EMAIL = "reference_app.jobs.send_password_reset_email"
SEND_EMAIL_CHANGED_NOTICE = "reference_app.jobs.send_email_changed_notice"
NOTIFY_POST_PUBLISHED = "reference_app.jobs.notify_post_published"
EXPORT_USER_DATA = "reference_app.jobs.export_user_data"
DAILY_CLEANUP = "reference_app.jobs.daily_cleanup"

EXPORT_KIND = "export"
SKIPPED = "skipped"
DUPLICATE = "duplicate"
SENT = "sent"

Compose = Callable[[AsyncSession], Awaitable[EmailMessage | None]]


async def send_once(
    context: TaskContext, key: str, compose: Compose, *, keep_for: timedelta | None
) -> str:
    """Send the email ``compose`` builds, unless one was already sent under ``key``.

    ``compose`` may stage rows (a reset token) in the session: they commit with the key, after
    the email went out. It returns ``None`` when there is nothing to send.
    """
    async with context.sessionmaker() as session:
        message = await compose(session)
        if message is None:
            return SKIPPED
        now = utcnow()
        session.add(
            SentEmail(key=key, sent_at=now, expires_at=now + keep_for if keep_for else None)
        )
        try:
            # On PostgreSQL a concurrent duplicate waits here until this transaction ends.
            await session.flush()
        except IntegrityError:
            await session.rollback()
            logger.info("email_already_sent", key=key)
            return DUPLICATE
        context.email.send(message)
        await session.commit()
        return SENT


def _email_retention(context: TaskContext) -> timedelta:
    return timedelta(days=context.settings.sent_email_retention_days)


def send_welcome_email(self: JobTask, user_id: str) -> str:
    async def work(context: TaskContext) -> str:
        async def compose(session: AsyncSession) -> EmailMessage | None:
            user = await session.get(User, uuid.UUID(user_id))
            if user is None:
                return None
            return build_message(
                context.settings,
                to=user.email,
                subject=f"Welcome to {context.settings.project_name}",
                body=f"Hello {user.full_name or user.email},\n\n"
                f"your account is ready. Sign in at {context.settings.frontend_url}.\n",
            )

        return await send_once(
            context, f"welcome:{user_id}", compose, keep_for=_email_retention(context)
        )

    return self.run_async(work)


def send_password_reset_email(self: JobTask, email: str, request_id: str) -> str:
    """The token is made here, in the worker, so it never sits in the job queue."""

    async def work(context: TaskContext) -> str:
        settings = context.settings

        async def compose(session: AsyncSession) -> EmailMessage | None:
            user = await users_service.get_user_by_email(session, email)
            if user is None or not user.is_active:
                return None  # nothing is sent, and the API said nothing either
            token = issue_token(session, settings, user)
            return build_message(
                settings,
                to=user.email,
                subject="Reset your password",
                body="Someone (hopefully you) asked to reset your password. Open\n\n"
                f"  {settings.frontend_url}/reset-password?token={token}\n\n"
                f"within {settings.password_reset_expire_minutes} minutes, or send this token "
                f"to POST /api/v1/auth/password-reset/confirm:\n\n  {token}\n\n"
                "If it was not you, ignore this email: your password stays as it is.\n",
            )

        return await send_once(
            context, f"password_reset:{request_id}", compose, keep_for=_email_retention(context)
        )

    return self.run_async(work)


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
            context, f"email_changed:{change_id}", compose, keep_for=_email_retention(context)
        )

    return self.run_async(work)


def notify_post_published(self: JobTask, post_id: str) -> str:
    """Tell the author their post is live, once per post (the key is kept for good)."""

    async def work(context: TaskContext) -> str:
        async def compose(session: AsyncSession) -> EmailMessage | None:
            post = await session.get(Post, uuid.UUID(post_id))
            if post is None or not post.published:
                return None
            author = await session.get(User, post.author_id)
            if author is None:
                return None
            return build_message(
                context.settings,
                to=author.email,
                subject=f"Your post “{post.title}” is published",
                body=f"Your post “{post.title}” is now visible to everyone:\n\n"
                f"  {context.settings.frontend_url}/posts/{post.id}\n",
            )

        return await send_once(context, f"post_published:{post_id}", compose, keep_for=None)

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


async def run_cleanup(context: TaskContext) -> dict[str, int]:
    """Delete what the app no longer needs to keep; returns the rows deleted per table."""
    settings = context.settings
    now = utcnow()
    stale_jobs_before = now - timedelta(days=settings.export_retention_days)
    statements = {
        # Expired refresh tokens cannot be used (or reused) any more: their JWT has expired.
        "refresh_tokens": delete(RefreshToken).where(col(RefreshToken.expires_at) < now),
        # The denylist only matters until the access token would have expired anyway.
        "revoked_access_tokens": delete(RevokedAccessToken).where(
            col(RevokedAccessToken.expires_at) < now
        ),
        "password_reset_tokens": delete(PasswordResetToken).where(
            or_(
                col(PasswordResetToken.expires_at) < now,
                col(PasswordResetToken.used_at).is_not(None),
            )
        ),
        # Finished exports past their retention, and jobs that never finished (lost messages).
        "jobs": delete(Job).where(
            or_(
                col(Job.expires_at) < now,
                and_(col(Job.expires_at).is_(None), col(Job.created_at) < stale_jobs_before),
            )
        ),
        "sent_emails": delete(SentEmail).where(col(SentEmail.expires_at) < now),
        "dead_letters": delete(DeadLetter).where(
            col(DeadLetter.failed_at) < now - timedelta(days=settings.dead_letter_retention_days)
        ),
    }
    deleted: dict[str, int] = {}
    async with context.sessionmaker() as session:
        for table, statement in statements.items():
            result = await session.execute(statement)
            deleted[table] = int(result.rowcount)  # type: ignore[attr-defined]
        await session.commit()
    # One string: the log redaction would hide every count whose table name says "token".
    logger.info("cleanup_done", deleted=" ".join(f"{t}={n}" for t, n in deleted.items()))
    return deleted


def daily_cleanup(self: JobTask) -> dict[str, int]:
    return self.run_async(run_cleanup)


EMAIL_LIMITS = {"soft_time_limit": 5 * 60, "time_limit": 5 * 60 + 30}
EXPORT_LIMITS = {"soft_time_limit": 10 * 60, "time_limit": 10 * 60 + 30}

TASKS: list[tuple[str, Callable[..., Any], type[JobTask], dict[str, int]]] = [
    (SEND_WELCOME_EMAIL, send_welcome_email, JobTask, EMAIL_LIMITS),
    (SEND_PASSWORD_RESET_EMAIL, send_password_reset_email, JobTask, EMAIL_LIMITS),
    (SEND_EMAIL_CHANGED_NOTICE, send_email_changed_notice, JobTask, EMAIL_LIMITS),
    (NOTIFY_POST_PUBLISHED, notify_post_published, JobTask, EMAIL_LIMITS),
    (EXPORT_USER_DATA, export_user_data, ExportTask, EXPORT_LIMITS),
    (DAILY_CLEANUP, daily_cleanup, JobTask, EXPORT_LIMITS),
]
"""Name, function, base class and time limits (seconds, soft then hard) of every task."""


def register_tasks(app: Any) -> None:
    for name, function, base, limits in TASKS:
        # shared=False: registered on this app only, not on every app Celery ever creates.
        app.task(name=name, base=base, bind=True, shared=False, **limits)(function)
