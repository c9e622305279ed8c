"""Lab 7, public tests: run them with ``workbook lab check 07``."""

from typing import Any

from labsupport.app import error_of, sign_up


async def test_the_fourth_post_in_a_minute_is_refused(client: Any, author: Any, write: Any) -> None:
    """Count each post with limiter.hit(POSTS_PER_USER, ...) and raise RateLimitedError(status)
    when status.allowed is false: three posts a minute pass, the fourth is a 429."""
    statuses = [(await write(client, author, f"Post {n}")).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429], f"four posts in a row got {statuses}"


async def test_a_refused_post_gets_the_app_s_429(client: Any, author: Any, write: Any) -> None:
    """Raise the app's RateLimitedError(status), never build a response by hand: it carries the
    RATE_LIMITED error, the limit in its details and a Retry-After header."""
    for n in range(3):
        await write(client, author, f"Post {n}")
    refused = await write(client, author, "One too many")
    assert refused.status_code == 429, f"the fourth post got {refused.status_code}"
    error = error_of(refused)
    assert error["code"] == "RATE_LIMITED"
    assert error["details"]["limit"] == "3 per 1 minute", error["details"]
    retry_after = refused.headers.get("Retry-After")
    assert retry_after is not None, "a 429 without a Retry-After header"
    assert 1 <= int(retry_after) <= 60, f"Retry-After: {retry_after}"


async def test_each_author_has_a_count_of_their_own(client: Any, author: Any, write: Any) -> None:
    """Key the count by the author (str(user.id)), not by the client address: another author
    writing from the same address is not refused."""
    for n in range(4):
        await write(client, author, f"Post {n}")
    other = await sign_up(client)
    response = await write(client, other, "Someone else's first post")
    assert response.status_code == 201, f"another author's first post got {response.status_code}"
