"""Lab 5 fixtures: replay buffers of events, and the real app on a socket, resuming with your code.

The app's in-process broker (``MemoryBroker``) asks a *replay policy* what a reconnecting client
missed. The lab builds the app's services, gives them a broker whose policy is the student's
``events_to_replay``, and hands them to ``create_app`` (the app's one seam, see
``reference_app/services.py``): everything else (subscriptions, the ``reset`` event, the SSE
route) stays the app's own.

An event stream never ends, and ``httpx.ASGITransport`` hands over a response only once it has
ended. So the end-to-end tests serve the app with uvicorn on a loopback port, in this process
(as lesson 5 does), read the stream line by line, and bound every wait.
"""

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from labsupport.app import API, Account, make_settings
from labsupport.student import import_student

from reference_app.events.memory import MemoryBroker
from reference_app.events.models import EventContent, StreamEvent
from reference_app.main import create_app
from reference_app.services import build_services

pytest_plugins = ["labsupport.plugin"]

TIMEOUT = 10.0
START_MS = 1_700_000_000_000
"""The ``<start>`` part of the ids in hand-made buffers (as the memory broker writes them)."""


@pytest.fixture
def lab() -> ModuleType:
    """The student's module."""
    return import_student("lab_resume")


@pytest.fixture
def make_events() -> Callable[..., list[StreamEvent]]:
    """``count`` events with ids ``<start>-<first>``, ``<start>-<first + 1>``, ..., oldest first."""

    def make(count: int, *, first: int = 1, start: int = START_MS) -> list[StreamEvent]:
        return [
            StreamEvent(
                f"{start}-{number}",
                EventContent(type="post.created", data={"title": f"Post {number}"}),
            )
            for number in range(first, first + count)
        ]

    return make


# --- the app on a socket ---------------------------------------------------------------------


@dataclass
class Message:
    """One Server-Sent Events message as it came over the wire."""

    id: str | None = None
    event: str = "message"
    data: str = ""
    retry: int | None = None

    @property
    def title(self) -> str:
        """The post's title, or the event type for anything that is not a post (``reset``)."""
        if self.event.startswith("post."):
            return str(json.loads(self.data)["title"])
        return self.event


async def _messages(lines: AsyncIterator[str]) -> AsyncGenerator[Message, None]:
    """Parse ``field: value`` lines into messages; a blank line ends one, ``:`` is a comment."""
    message: Message | None = None
    async for line in lines:
        if not line:
            if message is not None:
                yield message
            message = None
            continue
        if line.startswith(":"):
            continue  # a heartbeat
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        message = message or Message()
        if name == "id":
            message.id = value
        elif name == "event":
            message.event = value
        elif name == "data":
            message.data = f"{message.data}\n{value}" if message.data else value
        elif name == "retry":
            message.retry = int(value)


async def next_message(messages: AsyncIterator[Message]) -> Message:
    """The next message, waiting at most ``TIMEOUT`` seconds."""
    async with asyncio.timeout(TIMEOUT):
        return await anext(messages)


class LiveApp:
    """The app served by uvicorn on a free loopback port, and a client of it."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", log_config=None, ws="none"
        )
        config.timeout_graceful_shutdown = 5  # a stream that fails to end cannot hang a test
        self.server = uvicorn.Server(config)
        self.api = httpx.AsyncClient()

    async def post(self, author: Account, title: str) -> None:
        """Publish a post through the API: the app records a ``post.created`` event."""
        body = {"title": title, "content": "Body.", "published": True}
        response = await self.api.post(f"{API}/posts", json=body, headers=author.headers)
        assert response.status_code == 201, response.text

    @asynccontextmanager
    async def follow(self, last_event_id: str | None = None) -> AsyncIterator[Any]:
        """Open ``GET /api/v1/events`` (anonymously); yields its messages once subscribed."""
        headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
        async with self.api.stream("GET", f"{API}/events", headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            messages = _messages(response.aiter_lines())
            hello = await next_message(messages)
            assert hello.retry is not None, "the stream did not start with its retry message"
            try:
                yield messages
            finally:
                await messages.aclose()

    async def receive(self, messages: AsyncIterator[Message]) -> Message:
        """The next message, waiting at most ``TIMEOUT`` seconds."""
        return await next_message(messages)

    async def titles_until(self, messages: AsyncIterator[Message], last: str) -> list[str]:
        """The titles (or event types) received, up to and including the post titled ``last``."""
        titles: list[str] = []
        while not titles or titles[-1] != last:
            titles.append((await next_message(messages)).title)
        return titles


@pytest.fixture
def live_app(
    lab: ModuleType, database_url: str
) -> Callable[..., AbstractAsyncContextManager[LiveApp]]:
    """Serve a new app (settings ``overrides`` on top of the lab's) whose broker resumes
    streams with the student's ``events_to_replay``."""

    @asynccontextmanager
    async def serve(**overrides: Any) -> AsyncIterator[LiveApp]:
        services = build_services(make_settings(database_url, **overrides))
        services.event_broker = MemoryBroker(
            replay_size=services.settings.events_replay_size, replay=lab.events_to_replay
        )
        live = LiveApp(create_app(services=services))
        task = asyncio.create_task(live.server.serve())
        try:
            async with asyncio.timeout(TIMEOUT):
                while not live.server.started:
                    if task.done():
                        await task  # raises what stopped the start-up
                        pytest.fail("uvicorn stopped during start-up")
                    await asyncio.sleep(0.01)
            port = live.server.servers[0].sockets[0].getsockname()[1]
            live.api = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT)
            async with live.api:
                yield live
        finally:
            live.server.should_exit = True  # as on SIGTERM: streams end, then the lifespan
            async with asyncio.timeout(TIMEOUT):
                await task

    return serve
