"""Helpers that keep the tests short: sign up an account and use its tokens; serve an app."""

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import Response

from reference_app.testing import DEFAULT_PASSWORD, Account, error_of, sign_up

__all__ = ["DEFAULT_PASSWORD", "Account", "error_code", "free_port", "serve", "sign_up"]

SERVER_TIMEOUT = 10.0  # seconds a live server may take to start or stop


def error_code(response: Response) -> Any:
    """The machine-readable code of an error response (asserting the shape on the way)."""
    return error_of(response)["code"]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released): for a server a test starts,
    or as an address where nothing answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving an app on a free loopback port, in this process."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", log_config=None, ws="none"
        )
        config.timeout_graceful_shutdown = 5  # a stream that fails to close cannot hang a test
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self.url = ""

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(SERVER_TIMEOUT):
            while not self._server.started:
                if self._task.done():
                    await self._task  # raises what stopped the start-up
                    pytest.fail("uvicorn stopped during start-up")
                await asyncio.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Shut down as on SIGTERM: open streams are ended, then the app's lifespan."""
        if self._task is None:
            return
        self._server.should_exit = True
        async with asyncio.timeout(SERVER_TIMEOUT):
            await self._task
        self._task = None


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[LiveServer]:
    server = LiveServer(app)
    try:
        await server.start()
        yield server
    finally:
        await server.stop()


async def eventually(check: Callable[[], Awaitable[Any]], limit: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy, and return that; fail after ``limit``
    seconds. For what happens in the background: a job, a message from another instance."""
    deadline = asyncio.get_running_loop().time() + limit
    while not (result := await check()):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"gave up waiting after {limit} s")
        await asyncio.sleep(0.05)
    return result
