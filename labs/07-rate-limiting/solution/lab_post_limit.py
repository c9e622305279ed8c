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
from reference_app.rate_limiting.limiter import RateLimitedError, RateLimiter

POSTS_PER_USER = parse("3/minute")
BUCKET = "posts-per-user"
"""The name of this count: it keeps user ids apart from the app's other counts."""


async def limit_posts_per_user(request: Request, response: Response, user: CurrentUser) -> None:
    """Count one new post against its author's limit; refuse it with a 429 once over."""
    # The app's limiter: its storage is Redis when configured, so every instance shares the count.
    limiter: RateLimiter = request.app.state.services.rate_limiter
    if not limiter.enabled:
        return
    status = await limiter.hit(POSTS_PER_USER, BUCKET, str(user.id))
    if status is None:  # the storage failed: fail open, as the rest of the app does
        return
    if not status.allowed:
        raise RateLimitedError(status)  # 429 RATE_LIMITED, with Retry-After
    # Report this limit: the middleware then keeps these headers instead of the per-IP ones.
    response.headers.update(status.headers())
