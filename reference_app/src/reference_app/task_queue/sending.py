"""Sending an email from a task at most once, however often the task is delivered.

A message can be delivered twice (a worker dies after the work but before the acknowledgement,
or a dead letter is re-driven), so a task that emails claims a key in ``sent_emails``
(``welcome:<user>``, ``password_reset:<request>``, ``email_changed:<change>``,
``post_published:<post>``) in the same transaction that sends: a second delivery hits the
primary key and sends nothing; a send that fails rolls the claim back, so a retry sends.

Missing data is not an error: a user or post deleted before its job ran means there is nothing
left to do, and the task returns ``SKIPPED`` (no retry, no dead letter).
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.message import EmailMessage

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.core.database import utcnow
from reference_app.task_queue.base import TaskContext
from reference_app.task_queue.models import SentEmail

logger = structlog.get_logger(__name__)

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


def email_retention(context: TaskContext) -> timedelta:
    """How long the key of a sent email is kept (``APP_SENT_EMAIL_RETENTION_DAYS``)."""
    return timedelta(days=context.settings.sent_email_retention_days)
