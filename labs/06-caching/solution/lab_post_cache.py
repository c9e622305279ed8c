"""Lab 6 — the change listener that keeps cached posts fresh.

Readers get posts from the cache (``reference_app/posts/service.py``): one post under
``post:{id}``, the public list page by page under keys that contain the list's *generation*.
Writers never touch the cache; after each committed change the app calls its change listeners,
and this one must forget whatever the change made stale.

The lab's tests build the app with this listener in place of the app's own
(``invalidate_posts`` in ``reference_app/posts/cache.py``).
"""

from reference_app.caching.cache import Cache
from reference_app.changes import ChangeEvent, ChangeListener
from reference_app.posts.cache import PUBLIC_LIST, post_key


def invalidate_posts(cache: Cache) -> ChangeListener:
    """A change listener: forget the post, and the public pages if the change was public."""

    async def on_change(event: ChangeEvent) -> None:
        if event.entity != "post":
            return
        # The key readers use: built by post_key from the post's id, whatever the change.
        await cache.invalidate(post_key(event.entity_id))
        # Any change to a post that is, or was until now, published changes the public pages:
        # a new post shifts them, an edit changes one, a delete or unpublish removes one.
        if event.public:
            await cache.bump_generation(PUBLIC_LIST)

    return on_change
