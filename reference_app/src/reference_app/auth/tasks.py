"""The auth feature's background tasks: the welcome email and the password-reset email.

Routes enqueue them after their commit (``auth/routes.py``); ``jobs/registry.py`` registers
them on the Celery app with every other feature's tasks. Each sends at most once
(:mod:`reference_app.task_queue.sending`).
"""

import uuid
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.auth.password_reset import issue_token
from reference_app.task_queue.base import JobTask, TaskContext, TaskSpec
from reference_app.task_queue.email import build_message
from reference_app.task_queue.sending import email_retention, send_once
from reference_app.users import service as users_service
from reference_app.users.models import User

# The names messages carry: kept as they were when these tasks lived in ``jobs/``, so messages
# already queued by an older release still find their task.
SEND_WELCOME_EMAIL = "reference_app.jobs.send_welcome_email"
SEND_PASSWORD_RESET_EMAIL = "reference_app.jobs.send_password_reset_email"


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
            context, f"welcome:{user_id}", compose, keep_for=email_retention(context)
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
            context, f"password_reset:{request_id}", compose, keep_for=email_retention(context)
        )

    return self.run_async(work)


TASKS = [
    TaskSpec(SEND_WELCOME_EMAIL, send_welcome_email),
    TaskSpec(SEND_PASSWORD_RESET_EMAIL, send_password_reset_email),
]
