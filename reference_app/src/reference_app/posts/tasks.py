"""The posts feature's background task: telling an author their post is published.

It is a reaction to a change, not work a caller asked for, so a change listener enqueues it
(:func:`notify_author_when_published`, plugged in as ``services.change_listeners
["post_notifications"]``): a post can be published by creating it or by updating it, and both
go through the listeners after their commit (the rule is in ``reference_app/changes.py``).
"""

import uuid
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.changes import ChangeAction, ChangeEvent, ChangeListener
from reference_app.posts.models import Post
from reference_app.task_queue.base import JobTask, TaskContext, TaskSpec
from reference_app.task_queue.email import build_message
from reference_app.task_queue.queue import JobQueue
from reference_app.task_queue.sending import send_once
from reference_app.users.models import User

# The name messages carry, kept from when the task lived in ``jobs/`` (queued messages).
NOTIFY_POST_PUBLISHED = "reference_app.jobs.notify_post_published"


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


def notify_author_when_published(queue: JobQueue) -> ChangeListener:
    """A change listener: a post that is published gets its author notified (once)."""

    async def listener(event: ChangeEvent) -> None:
        if (
            event.entity == "post"
            and event.action is not ChangeAction.DELETED
            and (event.data or {}).get("published") is True
        ):
            await queue.enqueue_best_effort(NOTIFY_POST_PUBLISHED, str(event.entity_id))

    return listener


TASKS = [TaskSpec(NOTIFY_POST_PUBLISHED, notify_post_published)]
