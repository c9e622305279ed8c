"""The floor under ``GET /posts/{id}``: the same route shape on FastAPI, doing none of the work.

The reference app's route takes a UUID path parameter and three ``async`` dependencies (the
sessionmaker, the cache and ``OptionalUser``, which itself asks for the bearer token, the
settings, the sessionmaker and the cache) and answers with ``response_model=PostRead``. This app has
that route and nothing else the reference app adds: no middleware, no cache, no database, no
other routes; the dependencies return at once and the handler returns a post built at import
(with 500 characters of content, like the benchmark's seeded post). FastAPI still parses and
validates the path parameter, resolves the dependencies and validates and serialises the
response.

So under wrk this is the most a route of that shape can do on this machine with FastAPI's
dependency injection and response model; the distance from it to the reference app is what the
app's own middleware and cache read cost. ``run_bench.py`` runs it on the reference app's event
loop and reports it beside the targets.
"""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import OAuth2PasswordBearer

from reference_app.posts.schemas import PostRead

app = FastAPI()

NOW = datetime.now(UTC)
POST = PostRead(
    id=uuid.uuid4(),
    title="Benchmark",
    content="x" * 500,
    published=True,
    author_id=uuid.uuid4(),
    created_at=NOW,
    updated_at=NOW,
)


bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


async def get_sessionmaker(request: Request) -> None:
    """Stands in for ``get_sessionmaker``: FastAPI's cost of resolving it, none of its work."""


async def get_cache(request: Request) -> None:
    """Stands in for ``get_cache``."""


async def get_settings(request: Request) -> None:
    """Stands in for ``app_settings``."""


async def get_optional_user(
    token: Annotated[str | None, Depends(bearer_scheme)],
    settings: Annotated[None, Depends(get_settings)],
    sessions: Annotated[None, Depends(get_sessionmaker)],
    cache: Annotated[None, Depends(get_cache)],
) -> None:
    """Stands in for ``OptionalUser`` with an anonymous reader: no token, nothing to check."""


@app.get("/api/v1/posts/{post_id}", response_model=PostRead)
async def read_post(
    post_id: uuid.UUID,
    sessions: Annotated[None, Depends(get_sessionmaker)],
    cache: Annotated[None, Depends(get_cache)],
    viewer: Annotated[None, Depends(get_optional_user)],
) -> PostRead:
    return POST
