"""Lab 3, public tests: run them with ``workbook lab check 03``."""

from typing import Any

from labsupport.app import error_of


async def test_finds_published_posts_by_title_ignoring_case(
    author: Any, write: Any, found: Any
) -> None:
    """Select published posts whose title contains `q` ignoring case: use
    col(Post.title).icontains(q, autoescape=True)."""
    await write(author, "Async Python tips")
    await write(author, "Gardening in winter")
    assert await found(q="PYTHON") == ["Async Python tips"]


async def test_drafts_are_never_found(author: Any, write: Any, found: Any) -> None:
    """Only published posts are searched: add `col(Post.published).is_(True)` to the query."""
    await write(author, "Python, published")
    await write(author, "Python, a draft", published=False)
    assert await found(q="python") == ["Python, published"]


async def test_a_missing_or_short_query_is_a_validation_error(search: Any) -> None:
    """Declare `q` with Query(min_length=2, max_length=50); FastAPI then answers 422 and the
    app's handlers give it the VALIDATION_ERROR shape."""
    missing = await search()
    assert missing.status_code == 422
    assert error_of(missing)["code"] == "VALIDATION_ERROR"
    short = await search(q="p")
    assert short.status_code == 422, f"q='p' gave {short.status_code}"
    error = error_of(short)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["loc"] == ["query", "q"]


async def test_an_unknown_sort_is_a_validation_error(search: Any) -> None:
    """Declare `sort: SearchSort = SearchSort.NEWEST`: an enum parameter refuses other values."""
    response = await search(q="python", sort="popular")
    assert response.status_code == 422, f"sort=popular gave {response.status_code}"
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["loc"] == ["query", "sort"]
