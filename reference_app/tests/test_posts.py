"""Posts: validation, pagination, drafts, and author-only changes."""

import uuid

import pytest
from httpx import AsyncClient

from reference_app.api.pagination import MAX_PAGE, MAX_PAGE_SIZE
from tests.support import Account, error_code, sign_up

POSTS = "/api/v1/posts"


async def create_post(
    client: AsyncClient, author: Account, title: str = "A fine title", *, published: bool = True
) -> dict[str, object]:
    response = await client.post(
        POSTS,
        headers=author.headers,
        json={"title": title, "content": "Body text.", "published": published},
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_create_and_read_a_post(client: AsyncClient) -> None:
    author = await sign_up(client)
    post = await create_post(client, author, "  Hello, world  ")
    assert post["title"] == "Hello, world"
    assert post["author_id"] == author.id
    response = await client.get(f"{POSTS}/{post['id']}")
    assert response.status_code == 200
    assert response.json() == post


async def test_creating_requires_authentication(client: AsyncClient) -> None:
    response = await client.post(POSTS, json={"title": "Anonymous"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "ab"},
        {"title": "x" * 201},
        {"title": "Valid title", "content": "x" * 50_001},
        {"title": "Valid title", "author_id": str(uuid.uuid4())},
        {"content": "no title"},
        {"title": "Valid title", "published": "maybe"},
        {"title": "Valid title", "published": 0},  # found by Schemathesis: taken for false
    ],
)
async def test_invalid_posts_are_rejected_and_nothing_is_written(
    client: AsyncClient, payload: dict[str, object]
) -> None:
    author = await sign_up(client)
    response = await client.post(POSTS, headers=author.headers, json=payload)
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    listing = await client.get(POSTS, params={"published_only": False}, headers=author.headers)
    assert listing.json()["total"] == 0


async def test_list_is_paginated_newest_first(client: AsyncClient) -> None:
    author = await sign_up(client)
    for number in range(25):
        await create_post(client, author, f"Post number {number:02d}")
    first = (await client.get(POSTS)).json()
    assert (first["page"], first["page_size"], first["total"], first["has_next"]) == (
        1,
        20,
        25,
        True,
    )
    assert len(first["items"]) == 20
    assert first["items"][0]["title"] == "Post number 24"
    second = (await client.get(POSTS, params={"page": 2})).json()
    assert len(second["items"]) == 5
    assert second["has_next"] is False
    small = (await client.get(POSTS, params={"page_size": 10, "page": 3})).json()
    assert [item["title"] for item in small["items"]] == [
        f"Post number {n:02d}" for n in range(4, -1, -1)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 101},
        {"page_size": 0},
        {"page": 0},
        {"page": MAX_PAGE + 1},
        {"page": 2**63 - 1},  # its offset overflowed the database's 64-bit OFFSET: a 500
    ],
)
async def test_out_of_range_pagination_is_rejected(
    client: AsyncClient, params: dict[str, int]
) -> None:
    response = await client.get(POSTS, params=params)
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"


async def test_the_last_page_number_is_answered(client: AsyncClient) -> None:
    """The largest page allowed, at the largest page size, still fits OFFSET on both databases."""
    response = await client.get(POSTS, params={"page": MAX_PAGE, "page_size": MAX_PAGE_SIZE})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_drafts_are_visible_only_to_their_author(client: AsyncClient) -> None:
    author, reader = await sign_up(client), await sign_up(client)
    await create_post(client, author, "Published one")
    draft = await create_post(client, author, "Secret draft", published=False)

    public = (await client.get(POSTS)).json()
    assert [item["title"] for item in public["items"]] == ["Published one"]

    own = await client.get(POSTS, params={"published_only": False}, headers=author.headers)
    assert {item["title"] for item in own.json()["items"]} == {"Published one", "Secret draft"}

    others = await client.get(POSTS, params={"published_only": False}, headers=reader.headers)
    anonymous = await client.get(POSTS, params={"published_only": False})
    assert others.json()["total"] == anonymous.json()["total"] == 1

    assert (await client.get(f"{POSTS}/{draft['id']}", headers=author.headers)).status_code == 200
    hidden = await client.get(f"{POSTS}/{draft['id']}", headers=reader.headers)
    assert hidden.status_code == 404
    assert (await client.get(f"{POSTS}/{draft['id']}")).status_code == 404


async def test_author_can_update_and_publish(client: AsyncClient) -> None:
    author = await sign_up(client)
    draft = await create_post(client, author, published=False)
    response = await client.patch(
        f"{POSTS}/{draft['id']}",
        headers=author.headers,
        json={"title": "Now public", "published": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["published"], body["content"]) == ("Now public", True, "Body text.")
    assert body["updated_at"] >= body["created_at"]


async def test_only_the_author_can_update_or_delete(client: AsyncClient) -> None:
    author, intruder = await sign_up(client), await sign_up(client)
    post = await create_post(client, author)
    update = await client.patch(
        f"{POSTS}/{post['id']}", headers=intruder.headers, json={"title": "Defaced"}
    )
    delete = await client.delete(f"{POSTS}/{post['id']}", headers=intruder.headers)
    assert update.status_code == delete.status_code == 403
    assert error_code(update) == error_code(delete) == "FORBIDDEN"
    assert (await client.get(f"{POSTS}/{post['id']}")).json()["title"] == post["title"]


async def test_changing_someone_elses_draft_is_404(client: AsyncClient) -> None:
    author, intruder = await sign_up(client), await sign_up(client)
    draft = await create_post(client, author, published=False)
    response = await client.delete(f"{POSTS}/{draft['id']}", headers=intruder.headers)
    assert response.status_code == 404


async def test_invalid_update_changes_nothing(client: AsyncClient) -> None:
    author = await sign_up(client)
    post = await create_post(client, author)
    response = await client.patch(
        f"{POSTS}/{post['id']}", headers=author.headers, json={"title": "no", "content": "new"}
    )
    assert response.status_code == 422
    assert (await client.get(f"{POSTS}/{post['id']}")).json()["content"] == "Body text."


async def test_author_can_delete(client: AsyncClient) -> None:
    author = await sign_up(client)
    post = await create_post(client, author)
    assert (await client.delete(f"{POSTS}/{post['id']}", headers=author.headers)).status_code == 204
    assert (await client.get(f"{POSTS}/{post['id']}")).status_code == 404


async def test_unknown_and_malformed_ids(client: AsyncClient) -> None:
    assert error_code(await client.get(f"{POSTS}/{uuid.uuid4()}")) == "NOT_FOUND"
    assert error_code(await client.get(f"{POSTS}/42")) == "VALIDATION_ERROR"
