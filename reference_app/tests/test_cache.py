"""Caching: cache-aside reads, invalidation on writes, the stampede guard, and failing open."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reference_app.caching.cache import Cache, CacheKey, MemoryCacheBackend, schema_version
from reference_app.posts.cache import POST_VERSION, post_key
from reference_app.services import services_of
from tests.support import Account, eventually, sign_up

POSTS = "/api/v1/posts"
INT = TypeAdapter(int)


def new_cache(**kwargs: object) -> Cache:
    return Cache(MemoryCacheBackend(), ttl_seconds={"thing": 60}, **kwargs)  # type: ignore[arg-type]


@contextmanager
def count_queries(engine: AsyncEngine, table: str) -> Iterator[list[str]]:
    """Record every SELECT that reads ``table`` while the block runs."""
    seen: list[str] = []

    def record(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def publish(client: AsyncClient, author: Account, title: str = "Cached post") -> str:
    response = await client.post(
        POSTS, headers=author.headers, json={"title": title, "content": "x", "published": True}
    )
    post_id: str = response.json()["id"]
    return post_id


# --- the Cache class itself ---------------------------------------------------------------


async def test_memory_backend_expires_and_evicts() -> None:
    backend = MemoryCacheBackend(max_entries=2)
    await backend.set("a", b"1", ttl_seconds=60)
    await backend.set("gone", b"2", ttl_seconds=0)
    assert await backend.get("a") == b"1"
    assert await backend.get("gone") is None
    await backend.set("b", b"3", ttl_seconds=60)
    await backend.set("c", b"4", ttl_seconds=60)
    assert await backend.get("a") is None  # the oldest write was evicted
    assert await backend.incr("n") == 1
    assert await backend.incr("n") == 2


def test_ttl_jitter_spreads_expiries_within_bounds() -> None:
    cache = new_cache(jitter=0.1)
    ttls = {cache._jittered(1000) for _ in range(200)}
    assert min(ttls) >= 900
    assert max(ttls) <= 1100
    assert len(ttls) > 20


async def test_fifty_concurrent_misses_load_once() -> None:
    cache = new_cache()
    loads = 0

    async def slow_loader() -> int | None:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.05)
        return 42

    async def request() -> int | None:
        return await cache.get_or_load(CacheKey("thing", "x"), slow_loader, INT)

    results = await asyncio.gather(*(request() for _ in range(50)))
    assert results == [42] * 50
    assert loads == 1
    assert (cache.stats.misses, cache.stats.loads) == (50, 1)


class UnreachableBackend(MemoryCacheBackend):
    """A cache server that cannot be reached: every call fails as Redis's client does."""

    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("cache down")


async def test_while_the_cache_is_down_concurrent_misses_share_one_load_not_a_queue() -> None:
    """A down cache sends every miss to the database: requests for one key share a single load
    (no stampede), and none waits in a queue behind another (the stampede lock would load them
    one after another, each asking the failing cache first)."""
    cache = Cache(UnreachableBackend(), ttl_seconds={"thing": 60})
    loads = 0
    database_answers = asyncio.Event()

    async def loader() -> int | None:
        nonlocal loads
        loads += 1
        await database_answers.wait()
        return 42

    async def request() -> int | None:
        return await cache.get_or_load(CacheKey("thing", "x"), loader, INT)

    requests = [asyncio.create_task(request()) for _ in range(20)]
    await asyncio.sleep(0.01)
    assert loads == 1
    assert not any(request.done() for request in requests)
    database_answers.set()
    assert await asyncio.gather(*requests) == [42] * 20
    assert loads == 1  # the lock would have made it 20, one after another
    assert not cache.healthy

    # A later miss loads afresh: nothing is kept.
    assert await request() == 42
    assert loads == 2


async def test_a_shared_load_survives_the_request_that_started_it_being_cancelled() -> None:
    cache = Cache(UnreachableBackend(), ttl_seconds={"thing": 60})
    database_answers = asyncio.Event()

    async def loader() -> int | None:
        await database_answers.wait()
        return 42

    async def request() -> int | None:
        return await cache.get_or_load(CacheKey("thing", "x"), loader, INT)

    first, second = (asyncio.create_task(request()) for _ in range(2))
    await asyncio.sleep(0.01)
    first.cancel()  # its client went away
    database_answers.set()
    assert await second == 42
    assert first.cancelled()


async def test_missing_values_are_not_cached_and_disabled_cache_always_loads() -> None:
    cache = new_cache()
    key = CacheKey("thing", "absent")

    async def nothing() -> int | None:
        return None

    assert await cache.get_or_load(key, nothing, INT) is None
    assert await cache.backend.get(str(key)) is None

    disabled = new_cache(enabled=False)

    async def seven() -> int | None:
        return 7

    assert await disabled.get_or_load(key, seven, INT) == 7
    assert disabled.stats.misses == 0


# --- through the API ----------------------------------------------------------------------


async def test_post_reads_hit_the_cache_after_the_first(app: FastAPI, client: AsyncClient) -> None:
    author = await sign_up(client)
    post_id = await publish(client, author)
    with count_queries(services_of(app).engine, "posts") as queries:
        for _ in range(5):
            assert (await client.get(f"{POSTS}/{post_id}")).status_code == 200
    assert len(queries) == 1
    assert services_of(app).cache.stats.hits >= 4


class CountingSessionmaker:
    """Stands in for ``services_of(app).sessionmaker`` and counts the sessions it opens."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.opened = 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self.sessionmaker()


async def test_anonymous_cache_hits_open_no_database_session(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hit must not even open (and close) a session it never uses: that was a sixth of it."""
    author = await sign_up(client)
    post_id = await publish(client, author)
    assert (await client.get(f"{POSTS}/{post_id}")).status_code == 200  # the misses fill it
    assert (await client.get(POSTS)).status_code == 200
    sessions = CountingSessionmaker(services_of(app).sessionmaker)
    monkeypatch.setattr(services_of(app), "sessionmaker", sessions)
    for _ in range(3):
        assert (await client.get(f"{POSTS}/{post_id}")).status_code == 200
        assert (await client.get(POSTS)).status_code == 200
    assert sessions.opened == 0
    await client.patch(f"{POSTS}/{post_id}", headers=author.headers, json={"title": "Changed"})
    assert (await client.get(f"{POSTS}/{post_id}")).json()["title"] == "Changed"
    assert sessions.opened >= 2  # the write, then the miss that reloads the post


async def test_fifty_concurrent_requests_for_one_post_make_one_database_load(
    app: FastAPI, client: AsyncClient
) -> None:
    author = await sign_up(client)
    post_id = await publish(client, author)
    with count_queries(services_of(app).engine, "posts") as queries:
        responses = await asyncio.gather(*(client.get(f"{POSTS}/{post_id}") for _ in range(50)))
    assert {response.status_code for response in responses} == {200}
    assert len(queries) == 1


async def test_update_and_delete_invalidate_the_post(client: AsyncClient) -> None:
    author = await sign_up(client)
    post_id = await publish(client, author, "Before")
    assert (await client.get(f"{POSTS}/{post_id}")).json()["title"] == "Before"
    await client.patch(f"{POSTS}/{post_id}", headers=author.headers, json={"title": "After"})
    assert (await client.get(f"{POSTS}/{post_id}")).json()["title"] == "After"
    await client.delete(f"{POSTS}/{post_id}", headers=author.headers)
    assert (await client.get(f"{POSTS}/{post_id}")).status_code == 404


async def test_public_list_is_cached_and_invalidated_by_public_changes_only(
    app: FastAPI, client: AsyncClient
) -> None:
    author = await sign_up(client)
    await publish(client, author, "First")
    assert (await client.get(POSTS)).json()["total"] == 1
    with count_queries(services_of(app).engine, "posts") as queries:
        assert (await client.get(POSTS)).json()["total"] == 1
    assert queries == []

    await client.post(POSTS, headers=author.headers, json={"title": "A draft"})
    with count_queries(services_of(app).engine, "posts") as queries:
        assert (await client.get(POSTS)).json()["total"] == 1
    assert queries == []  # a draft does not change the public pages

    await publish(client, author, "Second")
    listing = (await client.get(POSTS)).json()
    assert [item["title"] for item in listing["items"]] == ["Second", "First"]


async def test_profile_cache_is_invalidated_on_update(client: AsyncClient) -> None:
    me = await sign_up(client)
    assert (await client.get("/api/v1/users/me", headers=me.headers)).json()["full_name"] is None
    await client.patch(f"/api/v1/users/{me.id}", headers=me.headers, json={"full_name": "Ada"})
    assert (await client.get("/api/v1/users/me", headers=me.headers)).json()["full_name"] == "Ada"
    other = await sign_up(client)
    profile = await client.get(f"/api/v1/users/{me.id}", headers=other.headers)
    assert profile.json()["full_name"] == "Ada"
    missing = await client.get(f"/api/v1/users/{uuid.uuid4()}", headers=other.headers)
    assert missing.status_code == 404


async def test_password_hashes_and_tokens_are_never_cached(
    app: FastAPI, client: AsyncClient
) -> None:
    me = await sign_up(client)
    await client.get("/api/v1/users/me", headers=me.headers)
    await client.get(f"/api/v1/users/{me.id}", headers=me.headers)
    backend = services_of(app).cache.backend
    assert isinstance(backend, MemoryCacheBackend)
    stored = b" ".join(value for _, value in backend._entries.values())
    assert b"$argon2" not in stored
    assert b"hashed_password" not in stored
    assert me.access_token.encode() not in stored
    assert me.refresh_token.encode() not in stored


# --- on the real Redis --------------------------------------------------------------------


async def test_instances_share_cached_entries_and_invalidations(
    redis_apps: tuple[AsyncClient, AsyncClient],
) -> None:
    client_a, client_b = redis_apps
    author = await sign_up(client_a)
    post_id = await publish(client_a, author, "Shared")
    for _ in range(2):  # the second read comes from instance A's near cache
        assert (await client_a.get(f"{POSTS}/{post_id}")).json()["title"] == "Shared"
        assert (await client_a.get(POSTS)).json()["total"] == 1

    # Updated through instance B: instance A stops serving its copy once B's invalidation
    # reaches it (the near cache keeps entries 10 minutes here: only the invalidation can).
    await client_b.patch(f"{POSTS}/{post_id}", headers=author.headers, json={"title": "Edited"})
    await publish(client_b, author, "Another")

    async def a_sees_both_changes() -> bool:
        post = (await client_a.get(f"{POSTS}/{post_id}")).json()
        listed = (await client_a.get(POSTS)).json()
        return bool(post["title"] == "Edited" and listed["total"] == 2)

    await eventually(a_sees_both_changes, limit=5)

    health = (await client_a.get("/api/v1/health")).json()
    assert health["components"]["cache"]["status"] == "up"


# --- entries from another schema (a rolling deploy) ------------------------------------------


async def test_an_entry_that_no_longer_validates_is_a_miss_and_is_replaced() -> None:
    cache = new_cache()
    key = CacheKey("thing", "1")
    await cache.backend.set(str(key), b'{"written": "by an older release"}', 60)

    async def load() -> int:
        return 42

    assert await cache.get_or_load(key, load, INT) == 42
    assert await cache.backend.get(str(key)) == b"42"  # overwritten in the current shape


def test_keys_carry_the_version_of_the_schema_they_store() -> None:
    class Before(BaseModel):
        title: str

    class After(BaseModel):
        title: str
        summary: str

    before, after = schema_version(TypeAdapter(Before)), schema_version(TypeAdapter(After))
    assert before != after
    assert schema_version(TypeAdapter(Before)) == before  # stable across processes
    post_id = uuid.uuid4()
    assert str(post_key(post_id)) == f"post:v{POST_VERSION}:{post_id}"


async def test_a_post_cached_in_an_old_shape_is_served_not_a_500(
    client: AsyncClient, app: FastAPI
) -> None:
    author = await sign_up(client)
    post_id = await publish(client, author)
    stale = b'{"id": "' + post_id.encode() + b'", "headline": "renamed since"}'
    await services_of(app).cache.backend.set(str(post_key(uuid.UUID(post_id))), stale, 60)

    response = await client.get(f"{POSTS}/{post_id}")
    assert response.status_code == 200
    assert response.json()["title"] == "Cached post"
