"""The daily cleanup: delete what the app no longer needs to keep, in every feature's tables.

It deletes rows by age, so running it twice deletes nothing more (a message delivered twice is
harmless). It lives here, above the features, because it reaches into several of them.
"""

from datetime import timedelta

import structlog
from sqlalchemy import and_, delete, or_
from sqlmodel import col

from reference_app.auth.models import PasswordResetToken, RefreshToken, RevokedAccessToken
from reference_app.core.database import utcnow
from reference_app.task_queue.base import LONG_TASK_LIMITS, JobTask, TaskContext, TaskSpec
from reference_app.task_queue.models import DeadLetter, Job, SentEmail

logger = structlog.get_logger(__name__)

# The name messages (and Beat's schedule) carry, kept from the release that introduced it.
DAILY_CLEANUP = "reference_app.jobs.daily_cleanup"


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


TASKS = [TaskSpec(DAILY_CLEANUP, daily_cleanup, limits=LONG_TASK_LIMITS)]
