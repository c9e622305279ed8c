"""The near cache, on the real Redis: what it keeps, and every way it learns to forget.

Two backends on one Redis stand for two app instances (the HTTP tests with two apps are in
test_cache.py and test_revocation.py). Each test has a key prefix and a channel of its own.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from reference_app.caching.cache import RedisCacheBackend
from reference_app.caching.near_cache import NearCacheBackend
from reference_app.core.config import Settings
from reference_app.services import build_services, close_services
from tests.conftest import TEST_REDIS_URL
from tests.private_redis import running_private_redis
from tests.support import eventually


class CountingBackend(RedisCacheBackend):
    """Redis, counting the reads that reached it; a read can be held until ``release``."""

    def __init__(self, client: Redis, prefix: str) -> None:
        super().__init__(client, prefix)
        self.reads = 0
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()

    async def get(self, key: str) -> bytes | None:
        value = await super().get(key)  # read first: what a slow reply would carry
        self.reads += 1
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()
        return value


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(TEST_REDIS_URL)
    yield client
    await client.aclose()


def near_cache(redis: Redis, prefix: str, clock: Clock | None = None) -> NearCacheBackend:
    return NearCacheBackend(
        CountingBackend(redis, prefix),
        redis,
        channel=f"{prefix}invalidations",
        ttl_seconds=60,
        clock=clock or Clock(),
    )


@pytest.fixture
async def two_instances(redis: Redis, redis_prefix: str) -> AsyncIterator[list[NearCacheBackend]]:
    instances = [near_cache(redis, redis_prefix) for _ in range(2)]
    for instance in instances:
        await instance.start()

    async def listening() -> bool:
        return all(instance.listening for instance in instances)

    await eventually(listening, limit=5)
    yield instances
    for instance in instances:
        await instance.close()


async def announced(change: Awaitable[object], *, heard_by: NearCacheBackend) -> None:
    """Make ``change`` on another instance, and wait until ``heard_by`` has heard of it."""
    before = heard_by._invalidations
    await change

    async def heard() -> bool:
        return heard_by._invalidations > before

    await eventually(heard, limit=5)


def reads(instance: NearCacheBackend) -> int:
    assert isinstance(instance.remote, CountingBackend)
    return instance.remote.reads


async def test_a_hot_entry_is_read_from_redis_once(
    two_instances: list[NearCacheBackend],
) -> None:
    first, _ = two_instances
    await first.set("post:1", b"hello", ttl_seconds=60)
    assert [await first.get("post:1") for _ in range(5)] == [b"hello"] * 5
    assert (reads(first), first.hits) == (1, 4)
    assert await first.get("missing") is None
    assert await first.get("missing") is None
    assert reads(first) == 3  # a miss is not kept: the entry may be stored any moment


async def test_a_change_on_one_instance_is_forgotten_by_the_other(
    two_instances: list[NearCacheBackend],
) -> None:
    first, second = two_instances
    await first.set("post:1", b"old", ttl_seconds=60)
    await first.incr("posts:generation")
    assert await second.get("post:1") == b"old"
    assert await second.get("posts:generation") == b"1"

    await first.set("post:1", b"new", ttl_seconds=60)
    await first.incr("posts:generation")

    async def second_sees_the_change() -> bool:
        return (await second.get("post:1"), await second.get("posts:generation")) == (b"new", b"2")

    await eventually(second_sees_the_change, limit=5)  # long before the 60 s time limit
    await first.delete("post:1")

    async def second_sees_the_delete() -> bool:
        return await second.get("post:1") is None

    await eventually(second_sees_the_delete, limit=5)


async def test_a_read_in_flight_when_an_invalidation_arrives_is_not_kept(
    two_instances: list[NearCacheBackend],
) -> None:
    first, second = two_instances
    await announced(second.set("post:1", b"old", ttl_seconds=60), heard_by=first)
    remote = first.remote
    assert isinstance(remote, CountingBackend)
    remote.hold = asyncio.Event()
    read = asyncio.create_task(first.get("post:1"))
    await remote.holding.wait()  # first has read "old" from Redis; its reply is held back

    # Meanwhile another instance deletes it, and first hears so before its reply comes.
    await announced(second.delete("post:1"), heard_by=first)
    remote.hold.set()
    assert await read == b"old"  # current when it was read, so it is answered...
    remote.hold = None
    assert await first.get("post:1") is None  # ...but not kept: the next read asks Redis


async def test_without_a_subscription_nothing_is_kept_and_it_comes_back(tmp_path: Path) -> None:
    """On a Redis of the test's own, which drops every subscriber (as a failover would)."""
    with running_private_redis(tmp_path) as server:
        client = Redis.from_url(server.url)
        first, second = near_cache(client, "t:"), near_cache(client, "t:")
        await first.start()

        async def subscribed() -> bool:
            return first.listening

        await eventually(subscribed, limit=5)
        await first.set("post:1", b"kept", ttl_seconds=60)
        assert [await first.get("post:1") for _ in range(2)] == [b"kept"] * 2
        assert first.hits == 1

        await client.client_kill_filter(_type="pubsub")

        async def unsubscribed() -> bool:
            return not first.listening

        await eventually(unsubscribed, limit=5)
        await second.delete("post:1")  # published while first cannot hear it
        assert await first.get("post:1") is None  # what it kept was forgotten with the channel

        await eventually(subscribed, limit=10)  # and it subscribes again
        await first.set("post:1", b"back", ttl_seconds=60)
        hits = first.hits
        assert [await first.get("post:1") for _ in range(2)] == [b"back"] * 2
        assert first.hits == hits + 1  # kept again
        await first.close()
        await client.aclose()


async def test_an_entry_is_kept_no_longer_than_its_time_limit(
    redis: Redis, redis_prefix: str
) -> None:
    clock = Clock()
    instance = near_cache(redis, redis_prefix, clock)
    await instance.start()

    async def listening() -> bool:
        return instance.listening

    await eventually(listening, limit=5)
    await instance.set("post:1", b"v", ttl_seconds=600)
    await instance.get("post:1")
    clock.now += 59.9
    await instance.get("post:1")
    assert reads(instance) == 1
    clock.now += 0.1
    await instance.get("post:1")
    assert reads(instance) == 2  # 60 s later it is read from Redis again
    await instance.close()
    assert not instance.listening


async def test_the_app_puts_a_near_cache_in_front_of_redis_unless_told_not_to(
    redis_settings: Settings,
) -> None:
    with_near_cache = build_services(redis_settings)
    without = build_services(redis_settings.model_copy(update={"cache_near_ttl_seconds": 0}))
    assert isinstance(with_near_cache.cache.backend, NearCacheBackend)
    assert isinstance(with_near_cache.cache.backend.remote, RedisCacheBackend)
    assert type(without.cache.backend) is RedisCacheBackend
    for services in (with_near_cache, without):
        await close_services(services)
