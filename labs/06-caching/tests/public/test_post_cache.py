"""Lab 6, public tests: run them with ``workbook lab check 06``."""

from typing import Any


async def test_an_edited_post_is_read_fresh(author: Any, write: Any, edit: Any, read: Any) -> None:
    """After an edit, GET /posts/{id} shows the new version: forget the key readers use, which
    post_key(event.entity_id) builds ("post:<id>"); any other key leaves the old copy cached."""
    post_id = await write(author, "Old title")
    assert (await read(post_id)).json()["title"] == "Old title"  # now cached
    await edit(author, post_id, title="New title")
    title = (await read(post_id)).json()["title"]
    assert title == "New title", f"after the edit, the post is still read as {title!r}"


async def test_a_new_post_appears_in_the_public_list(
    author: Any, write: Any, public_titles: Any
) -> None:
    """A new published post changes the public pages: bump the generation of PUBLIC_LIST."""
    await write(author, "First")
    assert await public_titles() == ["First"]  # now cached
    await write(author, "Second")
    titles = await public_titles()
    assert titles == ["Second", "First"], f"after a new post, the list is {titles}"


async def test_an_edited_post_is_fresh_in_the_public_list(
    author: Any, write: Any, edit: Any, public_titles: Any
) -> None:
    """Editing a published post changes the page it is on, too: bump the list's generation for
    every public change (event.public), not only for new posts."""
    post_id = await write(author, "Old title")
    assert await public_titles() == ["Old title"]  # now cached
    await edit(author, post_id, title="New title")
    titles = await public_titles()
    assert titles == ["New title"], f"after the edit, the list is {titles}"
