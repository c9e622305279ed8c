"""Helpers that keep the tests short: sign up an account and use its tokens; serve an app."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import AsyncClient, Response

DEFAULT_PASSWORD = "correct horse battery"
SERVER_TIMEOUT = 10.0  # seconds a live server may take to start or stop


@dataclass
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(
    client: AsyncClient, email: str | None = None, password: str = DEFAULT_PASSWORD
) -> Account:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(
        id=body["user"]["id"],
        email=body["user"]["email"],
        password=password,
        access_token=body["tokens"]["access_token"],
        refresh_token=body["tokens"]["refresh_token"],
    )


def error_code(response: Response) -> Any:
    """The machine-readable code of an error response (asserting the shape on the way)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details", "request_id"} <= set(body["error"]), body
    return body["error"]["code"]


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
