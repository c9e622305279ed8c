"""Lab 3 — search published posts: ``GET /api/v1/lab/posts/search``.

The lab's tests mount ``router`` on an app built by ``create_app``, under ``/api/v1``, exactly as
``routers.py`` mounts the app's own routers. The README says what the endpoint must do.
"""

from enum import StrEnum

from fastapi import APIRouter

from reference_app.api.deps import SessionDep
from reference_app.api.pagination import Page, PageParamsDep, build_page
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.posts.schemas import PostRead

router = APIRouter(prefix="/lab/posts", tags=["lab"], responses=ERROR_RESPONSES)


class SearchSort(StrEnum):
    """Order of the results."""

    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"


@router.get("/search", response_model=Page[PostRead], summary="Search published posts")
async def search_posts(session: SessionDep, params: PageParamsDep, q: str) -> Page[PostRead]:
    # TODO 1: `q` must be 2 to 50 characters: declare it with Annotated[str, Query(...)].
    # TODO 2: a `sort: SearchSort` query parameter, "newest" by default.
    # TODO 3: an optional `author: uuid.UUID` parameter; an unknown author is a NotFoundError.
    # TODO 4: select published posts whose title or content contains `q`, ignoring case
    #         (col(Post.title).icontains(q, autoescape=True)), in the requested order.
    # TODO 5: paginate(session, statement, params), then build_page(...) of PostRead items.
    return build_page([], 0, params)
