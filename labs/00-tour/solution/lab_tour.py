"""Lab 0 — a client of the app: sign up, log in, add todos and read them back.

Each function takes an ``httpx.AsyncClient`` already pointed at the app (in the tests, the real
app in-process over ``ASGITransport``, as in the tour; it could as well be a server's URL) and
talks to the API only through it: requests, status codes and JSON bodies, nothing else.

When the app refuses a request, the function raises ``httpx.HTTPStatusError`` (what
``response.raise_for_status()`` does), so a caller can see the status and the error body.
"""

from typing import Any

import httpx

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    """The header that proves who is asking: ``Authorization: Bearer <access token>``."""
    return {"Authorization": f"Bearer {token}"}


async def sign_up(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    """Create an account with ``POST /api/v1/auth/signup``; return the new user (the ``user``
    object of the answer)."""
    # BEGIN SOLUTION
    response = await client.post(f"{API}/auth/signup", json={"email": email, "password": password})
    response.raise_for_status()
    user: dict[str, Any] = response.json()["user"]
    return user
    # END SOLUTION


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """Sign in with ``POST /api/v1/auth/login`` (a JSON body); return the access token."""
    # BEGIN SOLUTION
    response = await client.post(f"{API}/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token
    # END SOLUTION


async def add_todo(
    client: httpx.AsyncClient, token: str, title: str, priority: int = 0
) -> dict[str, Any]:
    """Add a todo for the signed-in user with ``POST /api/v1/todos``; return the todo."""
    # BEGIN SOLUTION
    response = await client.post(
        f"{API}/todos", json={"title": title, "priority": priority}, headers=bearer(token)
    )
    response.raise_for_status()
    todo: dict[str, Any] = response.json()
    return todo
    # END SOLUTION


async def open_todo_titles(client: httpx.AsyncClient, token: str) -> list[str]:
    """The titles of all the signed-in user's open (not completed) todos, oldest first.

    The list comes in pages: ask for the next page while ``has_next`` is true.
    """
    # BEGIN SOLUTION
    titles: list[str] = []
    page = 1
    while True:
        response = await client.get(
            f"{API}/todos",
            params={"completed": False, "sort": "created", "page": page, "page_size": 100},
            headers=bearer(token),
        )
        response.raise_for_status()
        body = response.json()
        titles += [todo["title"] for todo in body["items"]]
        if not body["has_next"]:
            return titles
        page += 1
    # END SOLUTION


async def first_day(
    client: httpx.AsyncClient, email: str, password: str, titles: list[str]
) -> list[str]:
    """A new user's first day, end to end: sign up, log in with the password, add a todo per
    title, and return the open todos' titles as the app lists them."""
    # BEGIN SOLUTION
    await sign_up(client, email, password)
    token = await log_in(client, email, password)
    for title in titles:
        await add_todo(client, token, title)
    return await open_todo_titles(client, token)
    # END SOLUTION
