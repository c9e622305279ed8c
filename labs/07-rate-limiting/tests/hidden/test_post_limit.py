"""Lab 7, hidden tests: the instructor grades with these as well as the public ones."""

from typing import Any

import pytest
from fastapi import FastAPI
from labsupport.app import sign_up

from reference_app.rate_limiting.limiter import RateLimiter
from reference_app.services import services_of


async def test_a_refused_post_is_not_written(client: Any, author: Any, write: Any) -> None:
    """The dependency runs before the route: raising there means the post is never stored."""
    for n in range(5):
        await write(client, author, f"Post {n}")
    listed = await client.get("/api/v1/posts")
    assert listed.json()["total"] == 3, f"{listed.json()['total']} posts were written, not 3"


async def test_accepted_posts_report_the_author_s_count(
    client: Any, author: Any, write: Any
) -> None:
    """Put status.headers() on the dependency's `response: Response`: each accepted post
    reports the per-author limit and what is left of it (the middleware keeps those headers)."""
    reported = []
    for n in range(3):
        response = await write(client, author, f"Post {n}")
        reported.append(
            (response.headers.get("RateLimit-Limit"), response.headers.get("RateLimit-Remaining"))
        )
    assert reported == [("3", "2"), ("3", "1"), ("3", "0")], f"(limit, remaining): {reported}"


async def test_the_count_follows_the_author_across_addresses(
    client: Any, client_from: Any, author: Any, write: Any
) -> None:
    """An author who writes from several addresses (phone, laptop) has one count: the key holds
    the user's id and nothing about the address."""
    for n in range(2):
        assert (await write(client, author, f"Laptop {n}")).status_code == 201
    async with client_from("203.0.113.9") as phone:
        statuses = [(await write(phone, author, f"Phone {n}")).status_code for n in range(2)]
    assert statuses == [201, 429], f"posts 3 and 4, from another address, got {statuses}"


async def test_nothing_is_counted_when_rate_limiting_is_off(serve: Any, write: Any) -> None:
    """With rate_limit_enabled false the limiter's `enabled` is false: count nothing, refuse
    nothing."""
    async with serve(rate_limit_enabled=False) as http:
        author = await sign_up(http)
        statuses = [(await write(http, author, f"Post {n}")).status_code for n in range(5)]
    assert statuses == [201] * 5, f"with rate limiting off: {statuses}"


async def test_a_failing_limiter_lets_posts_through(
    app: FastAPI, client: Any, author: Any, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """limiter.hit returns None when its storage (Redis) fails: let the post through (fail open),
    as the rest of the app does. Never read fields of None."""

    async def storage_down(*_args: Any) -> None:
        return None

    limiter: RateLimiter = services_of(app).rate_limiter
    monkeypatch.setattr(limiter, "hit", storage_down)
    statuses = [(await write(client, author, f"Post {n}")).status_code for n in range(5)]
    assert statuses == [201] * 5, f"with the limiter's storage down: {statuses}"
