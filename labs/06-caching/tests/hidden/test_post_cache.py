"""Lab 6, hidden tests: the instructor grades with these as well as the public ones."""

from typing import Any

from reference_app.caching.cache import Cache


async def test_a_deleted_post_is_gone(author: Any, write: Any, delete: Any, read: Any) -> None:
    """After a delete, GET /posts/{id} is a 404: forget post_key(event.entity_id)."""
    post_id = await write(author, "Soon gone")
    assert (await read(post_id)).status_code == 200  # now cached
    await delete(author, post_id)
    status = (await read(post_id)).status_code
    assert status == 404, f"a deleted post is still read ({status})"


async def test_an_edited_draft_is_read_fresh_by_its_author(
    author: Any, write: Any, edit: Any, read: Any
) -> None:
    """A draft is cached under post:<id> like any post: forget it on every change, public or
    not."""
    post_id = await write(author, "Draft v1", published=False)
    assert (await read(post_id, author)).json()["title"] == "Draft v1"  # now cached
    await edit(author, post_id, title="Draft v2")
    title = (await read(post_id, author)).json()["title"]
    assert title == "Draft v2", f"after the edit, the author reads {title!r}"


async def test_publishing_a_draft_adds_it_to_the_public_list(
    author: Any, write: Any, edit: Any, public_titles: Any
) -> None:
    """Publishing a draft is an update whose event is public: bump the list's generation."""
    await write(author, "Published")
    draft_id = await write(author, "Draft", published=False)
    assert await public_titles() == ["Published"]  # now cached
    await edit(author, draft_id, published=True)
    titles = await public_titles()
    assert titles == ["Draft", "Published"], f"after publishing the draft, the list is {titles}"


async def test_a_deleted_post_leaves_the_public_list(
    author: Any, write: Any, delete: Any, public_titles: Any
) -> None:
    """Deleting a published post removes it from its page: bump the list's generation."""
    await write(author, "Stays")
    gone = await write(author, "Goes")
    assert await public_titles() == ["Goes", "Stays"]  # now cached
    await delete(author, gone)
    titles = await public_titles()
    assert titles == ["Stays"], f"after the delete, the list is {titles}"


async def test_unpublishing_a_post_removes_it_from_the_public_list(
    author: Any, write: Any, edit: Any, public_titles: Any
) -> None:
    """Unpublishing is public too (the post was public until this change: event.public is
    true): bump the list's generation."""
    post_id = await write(author, "Public for now")
    assert await public_titles() == ["Public for now"]  # now cached
    await edit(author, post_id, published=False)
    titles = await public_titles()
    assert titles == [], f"after unpublishing, the list is {titles}"


async def test_drafts_leave_the_public_pages_cached(
    author: Any, write: Any, edit: Any, delete: Any, public_titles: Any, cache: Cache
) -> None:
    """Drafts never appear on the public pages, so a change to a draft (event.public false)
    must not invalidate them: bump the generation only for public changes."""
    await write(author, "Published")
    assert await public_titles() == ["Published"]  # now cached
    draft_id = await write(author, "Draft", published=False)
    await edit(author, draft_id, title="Draft v2")
    await delete(author, draft_id)
    loads = cache.stats.loads
    assert await public_titles() == ["Published"]
    assert cache.stats.loads == loads, "a change to a draft made the public page load again"
