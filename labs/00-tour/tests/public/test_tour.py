"""Lab 0, public tests: run them with ``workbook lab check 00``."""

from typing import Any

from labsupport.app import API, DEFAULT_PASSWORD


async def test_sign_up_returns_the_new_user(tour: Any, client: Any) -> None:
    """POST the email and password as JSON to /api/v1/auth/signup and return
    response.json()["user"]: the app answers 201 with the user and a pair of tokens."""
    user = await tour.sign_up(client, "Grace@Example.com", DEFAULT_PASSWORD)
    assert isinstance(user, dict), f"sign_up returned {user!r}, not the user object"
    assert user.get("email") == "grace@example.com", f"not the new user: {user}"
    login = await client.post(
        f"{API}/auth/login", json={"email": "grace@example.com", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, f"the app has no such account: {login.text}"


async def test_log_in_returns_a_working_access_token(tour: Any, client: Any, account: Any) -> None:
    """POST {"email", "password"} as JSON to /api/v1/auth/login and return the answer's
    "access_token": sent as "Authorization: Bearer <token>", it must identify the account."""
    token = await tour.log_in(client, account.email, account.password)
    assert isinstance(token, str), f"log_in returned {token!r}, not a token"
    me = await client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, f"GET /users/me with that token: {me.status_code} {me.text}"
    assert me.json()["id"] == account.id, "the token belongs to someone else"


async def test_add_todo_creates_it_for_the_signed_in_user(
    tour: Any, client: Any, account: Any
) -> None:
    """POST {"title", "priority"} to /api/v1/todos with the bearer header and return the todo
    the app answers with (201)."""
    todo = await tour.add_todo(client, account.access_token, "Read lesson 1")
    assert isinstance(todo, dict), f"add_todo returned {todo!r}, not the todo"
    assert todo.get("title") == "Read lesson 1", f"not the new todo: {todo}"
    assert todo["owner_id"] == account.id, "the todo belongs to someone else"
    listed = await client.get(f"{API}/todos", headers=account.headers)
    assert [t["title"] for t in listed.json()["items"]] == ["Read lesson 1"]


async def test_open_todo_titles_lists_them_oldest_first(
    tour: Any, client: Any, account: Any, todo: Any
) -> None:
    """GET /api/v1/todos with the bearer header, completed=false and sort=created (oldest
    first; the default, -created, is newest first), and return the items' titles."""
    for title in ["Install uv", "Run the tour", "Start lab 1"]:
        await todo(account, title)
    titles = await tour.open_todo_titles(client, account.access_token)
    assert titles == ["Install uv", "Run the tour", "Start lab 1"], f"got {titles!r}"
