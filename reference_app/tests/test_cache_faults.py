"""Fail-open: a private Redis is killed under traffic; reads keep working from the database."""

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from reference_app.main import create_app
from tests.conftest import make_settings, services_required
from tests.support import sign_up

READS = 150


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PrivateRedis:
    """A redis-server of this test's own on a spare loopback port, that the test may kill."""

    binary: str
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    server = PrivateRedis(binary=binary, directory=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def test_killing_redis_under_traffic_loses_no_read_and_recovers(
    private_redis: PrivateRedis, database_url: str
) -> None:
    app = create_app(make_settings(database_url, redis_url=private_redis.url))
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
        assert app.state.cache.stats.errors > 0

        health = (await client.get("/api/v1/health")).json()
        assert health["status"] == "degraded"
        assert health["components"]["cache"]["status"] == "down"
        assert (await client.get("/api/v1/health/ready")).status_code == 200  # DB still up

        private_redis.start()
        for _ in range(50):  # the client reconnects on its own
            assert (await client.get(url)).status_code == 200
            if app.state.cache.healthy:
                break
            await asyncio.sleep(0.1)
        assert app.state.cache.healthy
        assert (await client.get("/api/v1/health")).json()["status"] == "healthy"
