"""Lab 3 — search published posts: ``GET /api/v1/lab/posts/search``.

The lab's tests mount ``router`` on an app built by ``create_app``, under ``/api/v1``, exactly as
``routers.py`` mounts the app's own routers. The README says what the endpoint must do.
"""

import uuid
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, or_
from sqlmodel import col, select

from reference_app.api.deps import SessionDep
from reference_app.api.pagination import Page, PageParamsDep, build_page, paginate
from reference_app.core.errors import ERROR_RESPONSES, NotFoundError
from reference_app.posts.models import Post
from reference_app.posts.schemas import PostRead
from reference_app.users.models import User

QUERY_MIN_LENGTH = 2
QUERY_MAX_LENGTH = 50

router = APIRouter(prefix="/lab/posts", tags=["lab"], responses=ERROR_RESPONSES)


class SearchSort(StrEnum):
    """Order of the results."""

    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"


# Every ordering ends with a unique column, so pages never overlap or skip a post.
_ORDERING: dict[SearchSort, tuple[Any, ...]] = {
    SearchSort.NEWEST: (col(Post.created_at).desc(), col(Post.id)),
    SearchSort.OLDEST: (col(Post.created_at).asc(), col(Post.id)),
    SearchSort.TITLE: (func.lower(col(Post.title)), col(Post.created_at).desc(), col(Post.id)),
}


@router.get("/search", response_model=Page[PostRead], summary="Search published posts")
async def search_posts(
    session: SessionDep,
    params: PageParamsDep,
    q: Annotated[
        str,
        Query(
            min_length=QUERY_MIN_LENGTH,
            max_length=QUERY_MAX_LENGTH,
            description="Text to find in the title or the content, ignoring case.",
        ),
    ],
    sort: Annotated[SearchSort, Query(description="Order of the results.")] = SearchSort.NEWEST,
    author: Annotated[uuid.UUID | None, Query(description="Only this author's posts.")] = None,
) -> Page[PostRead]:
    """Published posts only: drafts are private even to a search by their own author."""
    # autoescape: "%" and "_" in the query are text to find, not LIKE wildcards.
    matches = or_(
        col(Post.title).icontains(q, autoescape=True),
        col(Post.content).icontains(q, autoescape=True),
    )
    statement = select(Post).where(col(Post.published).is_(True), matches)
    if author is not None:
        # An unknown author is an error, not an empty page: the client has a wrong id.
        if await session.get(User, author) is None:
            raise NotFoundError("user", author)
        statement = statement.where(col(Post.author_id) == author)
    posts, total = await paginate(session, statement.order_by(*_ORDERING[sort]), params)
    return build_page([PostRead.model_validate(post) for post in posts], total, params)
