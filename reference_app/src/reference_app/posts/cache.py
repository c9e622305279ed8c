"""Cached posts: ``post:{id}`` and public list pages, 30 minutes each.

List pages are stored under a *generation*: any change to a public post bumps it, which makes
every cached page unreachable at once (they then expire on their own). Drafts never touch the
public pages, so editing a draft keeps them cached.
"""

import uuid

from pydantic import TypeAdapter

from reference_app.api.pagination import Page, PageParams
from reference_app.caching.cache import Cache, CacheKey, schema_version
from reference_app.changes import ChangeEvent, ChangeListener
from reference_app.posts.schemas import PostRead

POST_ADAPTER = TypeAdapter(PostRead)
PAGE_ADAPTER = TypeAdapter(Page[PostRead])
PUBLIC_LIST = "posts:list"
POST_VERSION = schema_version(POST_ADAPTER)
PAGE_VERSION = schema_version(PAGE_ADAPTER)


def post_key(post_id: uuid.UUID) -> CacheKey:
    return CacheKey("post", str(post_id), POST_VERSION)


async def public_page_key(cache: Cache, params: PageParams) -> CacheKey:
    generation = await cache.generation(PUBLIC_LIST)
    page = f"g{generation}:page:{params.page}:size:{params.page_size}"
    return CacheKey(PUBLIC_LIST, page, PAGE_VERSION)


def invalidate_posts(cache: Cache) -> ChangeListener:
    """A change listener: forget the post, and the public pages if the change was public."""

    async def on_change(event: ChangeEvent) -> None:
        if event.entity != "post":
            return
        await cache.invalidate(post_key(event.entity_id))
        if event.public:
            await cache.bump_generation(PUBLIC_LIST)

    return on_change
