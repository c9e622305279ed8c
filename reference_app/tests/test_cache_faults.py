"""Fail-open: a private Redis is killed under traffic; reads keep working from the database."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.testing import settings_for_tests
from tests.private_redis import PrivateRedis, running_private_redis
from tests.support import sign_up

READS = 150


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    with running_private_redis(tmp_path) as server:
        yield server


async def test_killing_redis_under_traffic_loses_no_read_and_recovers(
    private_redis: PrivateRedis, database_url: str
) -> None:
    # A limit this test cannot reach: it is about the cache (the limiter's fallback has its own).
    settings = settings_for_tests(
        database_url,
        redis_url=private_redis.url,
        rate_limit_default="10000/minute",
        redis_breaker_cooldown_seconds=0.5,  # retry Redis soon after it is back
    )
    app = create_app(settings)
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        author = await sign_up(client)
        created = await client.post(
            "/api/v1/posts", headers=author.headers, json={"title": "Survivor", "published": True}
        )
        url = f"/api/v1/posts/{created.json()['id']}"

        async def read(index: int) -> int:
            if index == READS // 2:
                private_redis.kill()  # mid-traffic
            response = await client.get(url)
            return response.status_code

        statuses = [await read(index) for index in range(READS)]
        assert statuses.count(200) == READS, statuses
        assert services_of(app).cache.stats.errors > 0

        health = (await client.get("/api/v1/health")).json()
        assert health["status"] == "degraded"
        assert health["components"]["cache"]["status"] == "down"
        assert (await client.get("/api/v1/health/ready")).status_code == 200  # DB still up

        private_redis.start()
        for _ in range(50):  # the client reconnects on its own
            assert (await client.get(url)).status_code == 200
            # Both users of Redis come back: the cache, and the limiter (whichever of them made
            # the circuit breaker's trial call, the other returns on its next call).
            if services_of(app).cache.healthy and not services_of(app).rate_limiter.using_fallback:
                break
            await asyncio.sleep(0.1)
        assert services_of(app).cache.healthy
        assert (await client.get("/api/v1/health")).json()["status"] == "healthy"
