"""Lab 0, hidden tests: the instructor grades with these as well as the public ones."""

from typing import Any

import httpx
import pytest
from labsupport.app import API, DEFAULT_PASSWORD

PAGE_SIZE_LIMIT = 100  # the most a page can hold (reference_app.api.pagination.MAX_PAGE_SIZE)


async def test_add_todo_sends_the_priority(tour: Any, client: Any, account: Any) -> None:
    """Send the priority in the JSON body with the title."""
    todo = await tour.add_todo(client, account.access_token, "Ship it", priority=4)
    stored = await client.get(f"{API}/todos/{todo['id']}", headers=account.headers)
    assert stored.json()["priority"] == 4, f"stored priority: {stored.json()['priority']}"


async def test_completed_todos_are_left_out(
    tour: Any, client: Any, account: Any, todo: Any
) -> None:
    """Ask the app for completed=false: done todos are not open."""
    await todo(account, "Done already", completed=True)
    await todo(account, "Still to do")
    titles = await tour.open_todo_titles(client, account.access_token)
    assert titles == ["Still to do"], f"got {titles!r}"


async def test_every_page_is_read(tour: Any, client: Any, account: Any, todo: Any) -> None:
    """A page holds at most 100 todos: while the answer's has_next is true, ask for the next
    page (page=2, 3, ...) and add its titles."""
    expected = [f"Todo {n:03}" for n in range(PAGE_SIZE_LIMIT + 5)]
    for title in expected:
        await todo(account, title)
    titles = await tour.open_todo_titles(client, account.access_token)
    assert len(titles) == len(expected), f"{len(titles)} titles for {len(expected)} open todos"
    assert titles == expected


async def test_a_refused_request_raises_with_its_status(
    tour: Any, client: Any, account: Any
) -> None:
    """Call response.raise_for_status() after each request: a refused one raises
    httpx.HTTPStatusError, whose .response.status_code says why."""
    failures = {
        "a wrong password": (lambda: tour.log_in(client, account.email, "wrong password"), 401),
        "an email already taken": (
            lambda: tour.sign_up(client, account.email, DEFAULT_PASSWORD),
            409,
        ),
        "an invalid token": (lambda: tour.add_todo(client, "not-a-token", "Sneaky"), 401),
    }
    for case, (call, status) in failures.items():
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await call()
        assert refused.value.response.status_code == status, f"{case}: {refused.value}"


async def test_first_day_runs_end_to_end(tour: Any, client: Any) -> None:
    """Chain your functions: sign_up, log_in (with the password), add_todo per title, then
    open_todo_titles."""
    titles = await tour.first_day(client, "lin@example.com", DEFAULT_PASSWORD, ["A", "B"])
    assert titles == ["A", "B"], f"first_day returned {titles!r}"
    login = await client.post(
        f"{API}/auth/login", json={"email": "lin@example.com", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, "first_day did not create the account"
