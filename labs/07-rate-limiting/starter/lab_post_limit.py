"""Lab 7 — a per-author limit on writing posts: a route dependency.

The app limits every request per client address (``RateLimitMiddleware``). Writing posts gets a
limit of its own, counted per *author*: whatever address they write from, nobody publishes
more than ``POSTS_PER_USER``.

The app's ``POST /api/v1/posts`` is declared with ``Depends(limit_posts_per_author)``; the lab's
tests put ``limit_posts_per_user`` in its place with ``app.dependency_overrides``.
"""

from fastapi import Request, Response
from limits import parse

from reference_app.auth.dependencies import CurrentUser

POSTS_PER_USER = parse("3/minute")


async def limit_posts_per_user(request: Request, response: Response, user: CurrentUser) -> None:
    """Count one new post against its author's limit; refuse it with a 429 once over."""
    # TODO 1: take the app's limiter (request.app.state.services.rate_limiter); when it is
    #         not enabled, count nothing.
    # TODO 2: count this post against POSTS_PER_USER, keyed by the author's id (limiter.hit).
    # TODO 3: over the limit, raise the app's RateLimitedError; when the storage failed (hit
    #         returned None), let the post through.
    # TODO 4: otherwise put the status's RateLimit-* headers on the response.
