"""Lab 8 — announce a published post to its readers: once per reader, however often it runs.

When a post is published, every other active user gets an email about it. The task runs on the
app's ``JobTask`` base: the broker's message is acknowledged only once the task has finished
(``acks_late``), so the same message can be delivered again (a worker died halfway, or after
its last email but before the acknowledgement), two workers can hold it at once, and a dead
letter can be re-driven as a new message. Whatever happens, each reader gets one email per post.

The lab's tests register ``announce_post`` on the app's Celery app the way the app registers
its own tasks (``create_celery_app`` in ``reference_app/task_queue/factory.py``)::

    celery_app.task(name=ANNOUNCE_POST, base=JobTask, bind=True, shared=False)(announce_post)
"""

import uuid
from collections import Counter
from email.message import EmailMessage

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from reference_app.core.config import Settings
from reference_app.posts.models import Post
from reference_app.task_queue.base import JobTask, TaskContext
from reference_app.task_queue.email import build_message
from reference_app.task_queue.errors import PermanentJobError
from reference_app.task_queue.sending import SKIPPED, Compose, send_once
from reference_app.users.models import User

logger = structlog.get_logger(__name__)

ANNOUNCE_POST = "lab.announce_post"
REFUSED = "refused"


async def readers_of(session: AsyncSession, post: Post) -> list[User]:
    """Everyone who hears about ``post``: the active users but its author, by email."""
    readers = await session.scalars(
        select(User)
        .where(col(User.is_active), col(User.id) != post.author_id)
        .order_by(col(User.email))
    )
    return list(readers)


def announcement(settings: Settings, post: Post, reader: User) -> EmailMessage:
    return build_message(
        settings,
        to=reader.email,
        subject=f"New post: {post.title}",
        body=f"Hello {reader.full_name or reader.email},\n\n"
        f"“{post.title}” was just published:\n\n  {settings.frontend_url}/posts/{post.id}\n",
    )


def announcement_key(post_id: uuid.UUID, reader_id: uuid.UUID) -> str:
    """One key per email: this post, to this reader. Nothing about the message that asked."""
    return f"post_announced:{post_id}:{reader_id}"


def compose_announcement(settings: Settings, post: Post, reader: User) -> Compose:
    """The announcement to ``reader``, as ``send_once`` wants it: built in its transaction."""

    async def compose(_session: AsyncSession) -> EmailMessage:
        return announcement(settings, post, reader)

    return compose


def announce_post(self: JobTask, post_id: str) -> dict[str, int]:
    """Email each reader about the published post ``post_id``; returns how each email went."""

    async def work(context: TaskContext) -> dict[str, int]:
        async with context.sessionmaker() as session:
            post = await session.get(Post, uuid.UUID(post_id))
            if post is None or not post.published:
                return {SKIPPED: 1}  # deleted or unpublished since: nothing to announce
            readers = await readers_of(session, post)
        outcomes: Counter[str] = Counter()
        for reader in readers:
            # Each email claims its own key in the transaction that sends it (send_once). After
            # a crash or a retry, the readers already emailed are skipped, the others are not.
            # The keys are kept for good (keep_for=None): a post is announced once, ever.
            compose = compose_announcement(context.settings, post, reader)
            try:
                outcome = await send_once(
                    context, announcement_key(post.id, reader.id), compose, keep_for=None
                )
            except PermanentJobError as exc:
                # Refused for good: a retry would be refused again, and would hold up the
                # others. A transient error is not caught: JobTask retries the task for it.
                logger.warning(
                    "announcement_refused",
                    post_id=post_id,
                    reader_id=str(reader.id),
                    error=str(exc),
                )
                outcome = REFUSED
            outcomes[outcome] += 1
        return dict(outcomes)

    return self.run_async(work)
