"""A limit on writing posts, counted per author: ``APP_RATE_LIMIT_POSTS_PER_AUTHOR``.

The per-address limit (``RateLimitMiddleware``) cannot stop one account writing from many
addresses, and it makes everyone behind one office proxy pay for one noisy colleague. The
author is known only once the token is checked, so this limit is a route dependency, not
middleware — like the per-account login limit in ``rate_limiting/limiter.py``.
"""

from fastapi import Request, Response

from reference_app.auth.dependencies import CurrentUser
from reference_app.rate_limiting.limiter import RateLimiter

POSTS_BUCKET = "posts-per-author"
"""The name of this count: it keeps authors' ids apart from the limiter's other counts."""


async def limit_posts_per_author(request: Request, response: Response, author: CurrentUser) -> None:
    """Count one new post against its author; refuse it (429 ``RATE_LIMITED``) once over."""
    limiter: RateLimiter = request.app.state.services.rate_limiter
    status = await limiter.check(limiter.posts_per_author, POSTS_BUCKET, str(author.id))
    if status is not None:
        # This limit's headers win over the per-address ones the middleware adds (setdefault).
        response.headers.update(status.headers())
