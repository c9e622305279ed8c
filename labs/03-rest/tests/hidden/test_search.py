"""Lab 3, hidden tests: the instructor grades with these as well as the public ones."""

import uuid
from typing import Any

from labsupport.app import error_of, sign_up


async def test_the_content_matches_too(author: Any, write: Any, found: Any) -> None:
    """`q` is looked for in the title or the content: combine the two with or_()."""
    await write(author, "Weekend notes", content="Tried FastAPI's dependency injection.")
    await write(author, "Other notes", content="Nothing to see.")
    assert await found(q="fastapi") == ["Weekend notes"]


async def test_sort_orders_newest_oldest_and_by_title(author: Any, write: Any, found: Any) -> None:
    """newest: created_at descending (the default); oldest: ascending; title: A to Z ignoring
    case (order by func.lower(Post.title))."""
    for title in ["banana post", "Apple post", "cherry post"]:
        await write(author, title)
    assert await found(q="post") == ["cherry post", "Apple post", "banana post"]
    assert await found(q="post", sort="oldest") == ["banana post", "Apple post", "cherry post"]
    assert await found(q="post", sort="title") == ["Apple post", "banana post", "cherry post"]


async def test_filters_by_author(client: Any, author: Any, write: Any, found: Any) -> None:
    """`author` (a user id) keeps only that author's posts."""
    other = await sign_up(client)
    await write(author, "Mine about python")
    await write(other, "Theirs about python")
    assert await found(q="python", author=other.id) == ["Theirs about python"]


async def test_an_unknown_author_is_not_found(search: Any) -> None:
    """An author id that matches no user: raise NotFoundError("user", author), which the app
    turns into 404 NOT_FOUND with details."""
    missing = str(uuid.uuid4())
    response = await search(q="python", author=missing)
    assert response.status_code == 404, f"an unknown author gave {response.status_code}"
    error = error_of(response)
    assert error["code"] == "NOT_FOUND"
    assert error["details"] == {"resource": "user", "id": missing}


async def test_an_author_that_is_not_a_uuid_is_a_validation_error(search: Any) -> None:
    """Declare `author: uuid.UUID | None`, so FastAPI refuses anything else with a 422."""
    response = await search(q="python", author="alice")
    assert response.status_code == 422, f"author=alice gave {response.status_code}"
    assert error_of(response)["code"] == "VALIDATION_ERROR"


async def test_percent_and_underscore_are_not_wildcards(
    author: Any, write: Any, found: Any
) -> None:
    """ "%" and "_" in `q` are text, not LIKE wildcards: pass autoescape=True to icontains."""
    await write(author, "100% coverage")
    await write(author, "1000 reasons")
    await write(author, "snake_case names")
    await write(author, "snakescase names")
    assert await found(q="100%") == ["100% coverage"]
    assert await found(q="e_c") == ["snake_case names"]


async def test_results_are_paginated(author: Any, write: Any, search: Any) -> None:
    """Use the app's pagination (PageParamsDep, paginate, build_page): total counts every
    match, page_size limits the items."""
    for number in range(3):
        await write(author, f"Python part {number}")
    first = (await search(q="python", page_size=2)).json()
    page = (len(first["items"]), first["total"], first["has_next"])
    assert page == (2, 3, True), f"page 1 of 3 matches by 2: (items, total, has_next) = {page}"
    second = (await search(q="python", page_size=2, page=2)).json()
    assert (len(second["items"]), second["has_next"]) == (1, False)


async def test_a_too_long_query_is_refused(search: Any) -> None:
    """`q` is at most 50 characters: a longer one is a 422 VALIDATION_ERROR."""
    response = await search(q="x" * 51)
    assert response.status_code == 422, f"a 51-character q gave {response.status_code}"
    assert error_of(response)["code"] == "VALIDATION_ERROR"
