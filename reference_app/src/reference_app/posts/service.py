"""Posts: drafts are visible to their author only; only the author may change a post."""

import uuid

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from reference_app.core.database import utcnow
from reference_app.core.errors import NotFoundError, PermissionDeniedError
from reference_app.core.events import ChangeAction, ChangeEvent, ChangeNotifier
from reference_app.core.pagination import PageParams, paginate
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostCreate, PostRead, PostUpdate
from reference_app.users.models import User


def _post_changed(post: Post, action: ChangeAction, *, was_public: bool) -> ChangeEvent:
    return ChangeEvent(
        entity="post",
        action=action,
        entity_id=post.id,
        owner_id=post.author_id,
        public=was_public or post.published,
        data=None
        if action is ChangeAction.DELETED
        else PostRead.model_validate(post).model_dump(mode="json"),
    )


async def create_post(
    session: AsyncSession, data: PostCreate, *, author: User, notifier: ChangeNotifier
) -> Post:
    post = Post(**data.model_dump(), author_id=author.id)
    session.add(post)
    await session.commit()
    await notifier.notify(_post_changed(post, ChangeAction.CREATED, was_public=False))
    return post


async def list_posts(
    session: AsyncSession, params: PageParams, *, published_only: bool, viewer: User | None
) -> tuple[list[Post], int]:
    """Newest first. With ``published_only=False`` a signed-in author also sees their drafts."""
    visible: ColumnElement[bool] = col(Post.published).is_(True)
    if not published_only and viewer is not None:
        visible = or_(visible, col(Post.author_id) == viewer.id)
    statement = (
        select(Post).where(visible).order_by(col(Post.created_at).desc(), col(Post.id).desc())
    )
    return await paginate(session, statement, params)


async def get_post(session: AsyncSession, post_id: uuid.UUID, *, viewer: User | None) -> Post:
    """A draft is reported as missing to anyone but its author: its existence is private."""
    post = await session.get(Post, post_id)
    if post is None or (not post.published and (viewer is None or viewer.id != post.author_id)):
        raise NotFoundError("post", post_id)
    return post


async def _get_own_post(session: AsyncSession, post_id: uuid.UUID, editor: User) -> Post:
    post = await get_post(session, post_id, viewer=editor)
    if post.author_id != editor.id:
        raise PermissionDeniedError("Only the author can change this post")
    return post


async def update_post(
    session: AsyncSession,
    post_id: uuid.UUID,
    data: PostUpdate,
    *,
    editor: User,
    notifier: ChangeNotifier,
) -> Post:
    post = await _get_own_post(session, post_id, editor)
    was_public = post.published
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(post, field, value)
    post.updated_at = utcnow()
    await session.commit()
    await notifier.notify(_post_changed(post, ChangeAction.UPDATED, was_public=was_public))
    return post


async def delete_post(
    session: AsyncSession, post_id: uuid.UUID, *, editor: User, notifier: ChangeNotifier
) -> None:
    post = await _get_own_post(session, post_id, editor)
    await session.delete(post)
    await session.commit()
    await notifier.notify(_post_changed(post, ChangeAction.DELETED, was_public=post.published))
