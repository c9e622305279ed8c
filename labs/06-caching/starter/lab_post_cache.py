"""Lab 6 — the change listener that keeps cached posts fresh.

Readers get posts from the cache (``reference_app/posts/service.py``): one post under
``post:{id}``, the public list page by page under keys that contain the list's *generation*.
Writers never touch the cache; after each committed change the app calls its change listeners,
and this one must forget whatever the change made stale.

The lab's tests build the app with this listener in place of the app's own
(``invalidate_posts`` in ``reference_app/posts/cache.py``).

It has bugs: readers are served stale posts. The README says what it must do.
"""

from reference_app.caching.cache import Cache, CacheKey
from reference_app.changes import ChangeAction, ChangeEvent, ChangeListener
from reference_app.posts.cache import PUBLIC_LIST


def invalidate_posts(cache: Cache) -> ChangeListener:
    """A change listener: forget the post, and the public pages if the change was public."""

    async def on_change(event: ChangeEvent) -> None:
        if event.entity != "post":
            return
        await cache.invalidate(CacheKey("posts", str(event.entity_id)))
        # Only a new post changes the list.
        if event.action is ChangeAction.CREATED and event.public:
            await cache.bump_generation(PUBLIC_LIST)

    return on_change
