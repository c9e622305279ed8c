"""Lab 10 — a specification of the todos API, written as tests.

Every test that takes the ``client`` fixture is run against the real app, where it must pass,
and against copies of the app with one bug planted, where at least one test must fail. The
fixture is given by the grader: an ``httpx.AsyncClient`` talking to a fresh app, on an empty
database, in-process. Sign up the users a test needs through the API.
"""

import uuid
from typing import Any

from httpx import AsyncClient

API = "/api/v1"


async def test_the_api_answers(client: AsyncClient) -> None:
    response = await client.get(f"{API}/health/live")
    assert response.status_code == 200


""" # BEGIN PROMPT
# TODO: a test for each rule of the README. Helpers that are not tests (sign a user up, add
#       a todo) are plain functions or fixtures of your own; only test_* functions are run.
"""  # END PROMPT


# BEGIN SOLUTION
async def sign_up(client: AsyncClient) -> dict[str, str]:
    """A new account; returns the headers that act as it."""
    email = f"user-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "correct horse battery"}
    response = await client.post(f"{API}/auth/signup", json=body)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


async def add(client: AsyncClient, user: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/todos", json=fields, headers=user)
    assert response.status_code == 201, response.text
    todo: dict[str, Any] = response.json()
    return todo


async def titles(client: AsyncClient, user: dict[str, str], **params: Any) -> list[str]:
    response = await client.get(f"{API}/todos", params=params, headers=user)
    assert response.status_code == 200, response.text
    return [todo["title"] for todo in response.json()["items"]]


async def test_adding_a_todo_answers_201_with_it(client: AsyncClient) -> None:
    user = await sign_up(client)
    todo = {"title": "Write tests", "description": "x" * 500}  # the longest description
    response = await client.post(f"{API}/todos", json=todo, headers=user)
    assert response.status_code == 201
    assert response.json()["title"] == "Write tests"
    assert len(response.json()["description"]) == 500
    assert response.json()["completed"] is False
    too_long = {"title": "Longer", "description": "x" * 501}
    response = await client.post(f"{API}/todos", json=too_long, headers=user)
    assert response.status_code == 422


async def test_another_user_s_todo_cannot_be_deleted(client: AsyncClient) -> None:
    owner, stranger = await sign_up(client), await sign_up(client)
    todo = await add(client, owner, title="Private")
    url = f"{API}/todos/{todo['id']}"
    deleted = await client.delete(url, headers=stranger)
    assert deleted.status_code == 404
    assert deleted.json()["error"]["code"] == "NOT_FOUND"
    assert (await client.get(url, headers=owner)).status_code == 200


async def test_completed_filters_the_list(client: AsyncClient) -> None:
    user = await sign_up(client)
    await add(client, user, title="Done", completed=True)
    await add(client, user, title="Open")
    assert await titles(client, user, completed=True) == ["Done"]
    assert await titles(client, user, completed=False) == ["Open"]


async def test_sorting_by_priority(client: AsyncClient) -> None:
    user = await sign_up(client)
    for priority in [2, 5, 0]:
        await add(client, user, title=f"Priority {priority}", priority=priority)
    highest_first = ["Priority 5", "Priority 2", "Priority 0"]
    assert await titles(client, user, sort="-priority") == highest_first
    assert await titles(client, user, sort="priority") == highest_first[::-1]


async def test_patch_changes_only_the_fields_sent(client: AsyncClient) -> None:
    user = await sign_up(client)
    todo = await add(client, user, title="Tests", description="Cover PATCH", priority=3)
    response = await client.patch(
        f"{API}/todos/{todo['id']}", json={"completed": True}, headers=user
    )
    assert response.status_code == 200
    changed = response.json()
    assert changed["completed"] is True
    unchanged = {key: changed[key] for key in ("title", "description", "priority")}
    assert unchanged == {"title": "Tests", "description": "Cover PATCH", "priority": 3}


async def test_has_next_is_false_only_on_the_last_page(client: AsyncClient) -> None:
    user = await sign_up(client)
    for number in range(3):
        await add(client, user, title=f"Todo {number}")
    pages = [
        (await client.get(f"{API}/todos", params={"page_size": 2, "page": p}, headers=user))
        for p in (1, 2)
    ]
    assert [(len(p.json()["items"]), p.json()["has_next"]) for p in pages] == [
        (2, True),
        (1, False),
    ]


async def test_another_user_s_todo_cannot_be_read_or_changed(client: AsyncClient) -> None:
    owner, stranger = await sign_up(client), await sign_up(client)
    todo = await add(client, owner, title="Private")
    url = f"{API}/todos/{todo['id']}"
    read = await client.get(url, headers=stranger)
    changed = await client.patch(url, json={"title": "Mine now"}, headers=stranger)
    assert (read.status_code, changed.status_code) == (404, 404)
    assert read.json()["error"]["code"] == "NOT_FOUND"
    assert (await client.get(url, headers=owner)).json()["title"] == "Private"


# END SOLUTION
