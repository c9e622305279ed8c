"""Lab 8 — announce a published post to its readers: once per reader, however often it runs.

When a post is published, every other active user gets an email about it. The task runs on the
app's ``JobTask`` base: the broker's message is acknowledged only once the task has finished
(``acks_late``), so the same message can be delivered again (a worker died halfway, or after
its last email but before the acknowledgement), two workers can hold it at once, and a dead
letter can be re-driven as a new message. Whatever happens, each reader gets one email per post.

The lab's tests register ``announce_post`` on the app's Celery app the way the app registers
its own tasks (``create_celery_app`` in ``reference_app/task_queue/factory.py``)::

    celery_app.task(name=ANNOUNCE_POST, base=JobTask, bind=True, shared=False)(announce_post)

This first version works when every message is delivered exactly once, which no broker
promises. The README says what it must do instead.
"""

import uuid
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from reference_app.core.config import Settings
from reference_app.posts.models import Post
from reference_app.task_queue.base import JobTask, TaskContext
from reference_app.task_queue.email import build_message
from reference_app.task_queue.sending import SENT, SKIPPED
from reference_app.users.models import User

ANNOUNCE_POST = "lab.announce_post"


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


def announce_post(self: JobTask, post_id: str) -> dict[str, int]:
    """Email each reader about the published post ``post_id``; returns how each email went."""

    async def work(context: TaskContext) -> dict[str, int]:
        async with context.sessionmaker() as session:
            post = await session.get(Post, uuid.UUID(post_id))
            if post is None or not post.published:
                return {SKIPPED: 1}  # deleted or unpublished since: nothing to announce
            readers = await readers_of(session, post)
        # TODO: give each email a key of its own and claim it in the transaction that sends it
        #       (read send_once in reference_app/task_queue/sending.py), so that no delivery of this
        #       message, or of another message for the same post, emails a reader twice.
        # TODO: an address refused for good (PermanentJobError) must not stop the others, nor
        #       make the task retry; a transient error still must (JobTask retries for it).
        for reader in readers:
            context.email.send(announcement(context.settings, post, reader))
        return {SENT: len(readers)}

    return self.run_async(work)
