"""The floor under ``GET /posts/{id}``: the same route shape on FastAPI, doing none of the work.

The reference app's route takes a UUID path parameter and two ``async`` dependencies
(``CachedReads`` and ``OptionalUser``) and answers with ``response_model=PostRead``. This app has
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


async def first_dependency(request: Request) -> None:
    """Stands in for ``CachedReads``: FastAPI's cost of resolving it, none of its work."""


async def second_dependency(request: Request) -> None:
    """Stands in for ``OptionalUser`` (an anonymous reader: no token to check). A plain
    dependency: the real one is also a security scheme, which FastAPI resolves at a little more
    cost, so this floor errs on the generous side."""


@app.get("/api/v1/posts/{post_id}", response_model=PostRead)
async def read_post(
    post_id: uuid.UUID,
    reads: Annotated[None, Depends(first_dependency)],
    viewer: Annotated[None, Depends(second_dependency)],
) -> PostRead:
    return POST
