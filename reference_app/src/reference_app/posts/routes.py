"""HTTP routes for posts."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from reference_app.api.deps import CacheDep, NotifierDep, SessionDep, SessionmakerDep
from reference_app.api.pagination import Page, PageParamsDep
from reference_app.auth.dependencies import CurrentUser, OptionalUser
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.posts import service
from reference_app.posts.limits import limit_posts_per_author
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostCreate, PostRead, PostUpdate

router = APIRouter(prefix="/posts", tags=["posts"], responses=ERROR_RESPONSES)


@router.post(
    "",
    response_model=PostRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write a post",
    dependencies=[Depends(limit_posts_per_author)],
)
async def create_post(
    data: PostCreate, session: SessionDep, user: CurrentUser, notifier: NotifierDep
) -> Post:
    return await service.create_post(session, data, author=user, notifier=notifier)


@router.get("", response_model=Page[PostRead], summary="List posts, newest first")
async def list_posts(
    sessions: SessionmakerDep,
    cache: CacheDep,
    viewer: OptionalUser,
    params: PageParamsDep,
    published_only: Annotated[
        bool, Query(description="false: also include your own drafts (when signed in).")
    ] = True,
) -> Page[PostRead]:
    return await service.list_posts(
        sessions, cache, params, published_only=published_only, viewer=viewer
    )


@router.get("/{post_id}", response_model=PostRead, summary="Read one post")
async def read_post(
    post_id: uuid.UUID, sessions: SessionmakerDep, cache: CacheDep, viewer: OptionalUser
) -> PostRead:
    return await service.read_post(sessions, cache, post_id, viewer=viewer)


@router.patch("/{post_id}", response_model=PostRead, summary="Edit your post")
async def update_post(
    post_id: uuid.UUID,
    data: PostUpdate,
    session: SessionDep,
    user: CurrentUser,
    notifier: NotifierDep,
) -> Post:
    return await service.update_post(session, post_id, data, editor=user, notifier=notifier)


@router.delete("/{post_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete your post")
async def delete_post(
    post_id: uuid.UUID, session: SessionDep, user: CurrentUser, notifier: NotifierDep
) -> None:
    await service.delete_post(session, post_id, editor=user, notifier=notifier)
