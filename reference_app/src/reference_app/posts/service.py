"""Posts: drafts are visible to their author only; only the author may change a post.

Reads go through the cache (see ``posts/cache.py``); writes always load fresh rows from the
database and announce the change, which invalidates the cache. Cached reads take a
*sessionmaker*, not a session, and open a session only on a miss: a hit never touches the
database, not even to open and close a session.
"""

import uuid

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from reference_app.api.pagination import Page, PageParams, build_page, paginate
from reference_app.caching.cache import Cache
from reference_app.changes import ChangeAction, ChangeEvent, ChangeNotifier
from reference_app.core.database import utcnow
from reference_app.core.errors import NotFoundError, PermissionDeniedError
from reference_app.posts.cache import PAGE_ADAPTER, POST_ADAPTER, post_key, public_page_key
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostCreate, PostRead, PostUpdate
from reference_app.users.schemas import UserRead


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
    session: AsyncSession, data: PostCreate, *, author: UserRead, notifier: ChangeNotifier
) -> Post:
    post = Post(**data.model_dump(), author_id=author.id)
    session.add(post)
    await session.commit()
    await notifier.notify(_post_changed(post, ChangeAction.CREATED, was_public=False))
    return post


async def _load_page(
    session: AsyncSession, params: PageParams, viewer: UserRead | None
) -> Page[PostRead]:
    visible: ColumnElement[bool] = col(Post.published).is_(True)
    if viewer is not None:
        visible = or_(visible, col(Post.author_id) == viewer.id)
    statement = (
        select(Post).where(visible).order_by(col(Post.created_at).desc(), col(Post.id).desc())
    )
    posts, total = await paginate(session, statement, params)
    return build_page([PostRead.model_validate(post) for post in posts], total, params)


async def list_posts(
    sessions: async_sessionmaker[AsyncSession],
    cache: Cache,
    params: PageParams,
    *,
    published_only: bool,
    viewer: UserRead | None,
) -> Page[PostRead]:
    """Newest first. With ``published_only=False`` a signed-in author also sees their drafts.

    Only the public listing is cached: it is the same for everyone.
    """
    include_drafts = not published_only and viewer is not None

    async def load() -> Page[PostRead]:
        async with sessions() as session:
            return await _load_page(session, params, viewer if include_drafts else None)

    if include_drafts:
        return await load()
    key = await public_page_key(cache, params)
    page = await cache.get_or_load(key, load, PAGE_ADAPTER)
    assert page is not None  # a page always exists, if only an empty one
    return page


def _is_visible(published: bool, author_id: uuid.UUID, viewer: UserRead | None) -> bool:
    return published or (viewer is not None and viewer.id == author_id)


async def read_post(
    sessions: async_sessionmaker[AsyncSession],
    cache: Cache,
    post_id: uuid.UUID,
    *,
    viewer: UserRead | None,
) -> PostRead:
    """A draft is reported as missing to anyone but its author: its existence is private."""

    async def load() -> PostRead | None:
        async with sessions() as session:
            post = await session.get(Post, post_id)
            return None if post is None else PostRead.model_validate(post)

    post = await cache.get_or_load(post_key(post_id), load, POST_ADAPTER)
    if post is None or not _is_visible(post.published, post.author_id, viewer):
        raise NotFoundError("post", post_id)
    return post


async def _get_own_post(session: AsyncSession, post_id: uuid.UUID, editor: UserRead) -> Post:
    """The row to change, read fresh from the database (never from the cache)."""
    post = await session.get(Post, post_id)
    if post is None or not _is_visible(post.published, post.author_id, editor):
        raise NotFoundError("post", post_id)
    if post.author_id != editor.id:
        raise PermissionDeniedError("Only the author can change this post")
    return post


async def update_post(
    session: AsyncSession,
    post_id: uuid.UUID,
    data: PostUpdate,
    *,
    editor: UserRead,
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
    session: AsyncSession, post_id: uuid.UUID, *, editor: UserRead, notifier: ChangeNotifier
) -> None:
    post = await _get_own_post(session, post_id, editor)
    await session.delete(post)
    await session.commit()
    await notifier.notify(_post_changed(post, ChangeAction.DELETED, was_public=post.published))
