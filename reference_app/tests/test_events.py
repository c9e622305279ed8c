"""Live events over SSE: who sees what, resuming, heartbeats, disconnects, and two instances.

httpx's ``ASGITransport`` buffers whole responses, so a stream that never ends cannot be read
through it. These tests run the app on a loopback socket instead: uvicorn in this process, or
two uvicorn processes sharing one database and one Redis for the multi-instance test. Every
wait is bounded, and every server is stopped.

SSE does not depend on the database engine, so this module runs on SQLite only.
"""

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import structlog
from httpx_sse import ServerSentEvent, aconnect_sse
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from reference_app.changes import ChangeAction, ChangeEvent
from reference_app.core.database import create_engine, upgrade_database
from reference_app.events.broker import EventQueue, EventsUnavailableError, Subscription
from reference_app.events.memory import MemoryBroker
from reference_app.events.models import EventContent, StreamEvent, event_position, is_event_id
from reference_app.events.redis_streams import RedisStreamBroker
from reference_app.events.routes import RECONNECT_MILLISECONDS, server_sent_events
from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.testing import TEST_SECRET_KEY, settings_for_tests
from tests.conftest import TEST_REDIS_URL
from tests.support import Account, free_port, serve, sign_up

REDIS_URL = TEST_REDIS_URL
EVENTS = "/api/v1/events"
POSTS = "/api/v1/posts"
TODOS = "/api/v1/todos"
TIMEOUT = 10.0
STARTUP_TIMEOUT = 30.0


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Overrides conftest's fixture of the same name: a migrated SQLite template only."""
    template = tmp_path_factory.mktemp("events-sqlite") / "template.db"
    url = f"sqlite+aiosqlite:///{template}"
    engine = create_engine(settings_for_tests(url))
    await upgrade_database(engine)
    await engine.dispose()
    return url


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings selecting each event backend in turn."""
    if request.param == "memory":
        return {}
    prefix: str = request.getfixturevalue("redis_prefix")
    return {"redis_url": REDIS_URL, "redis_key_prefix": prefix}


# --- helpers ------------------------------------------------------------------------------


@asynccontextmanager
async def running_app(database_url: str, **overrides: Any) -> AsyncIterator[str]:
    """Serve a new app with these settings; yields its base URL."""
    async with serve(create_app(settings_for_tests(database_url, **overrides))) as server:
        yield server.url


@asynccontextmanager
async def follow(
    base_url: str, account: Account | None = None, last_event_id: str | None = None
) -> AsyncIterator[AsyncIterator[ServerSentEvent]]:
    """Open the event stream; yields its events once the server confirms the subscription."""
    headers = dict(account.headers) if account else {}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http,
        aconnect_sse(http, "GET", EVENTS, headers=headers) as source,
        aclosing(source.aiter_sse()) as events,
    ):
        hello = await next_event(events)
        assert hello.retry == RECONNECT_MILLISECONDS
        yield events


async def next_event(events: AsyncIterator[ServerSentEvent]) -> ServerSentEvent:
    async with asyncio.timeout(TIMEOUT):
        return await anext(events)


def data(event: ServerSentEvent) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(event.data)
    return payload


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (a counter in another task has nothing to await on)."""
    async with asyncio.timeout(TIMEOUT):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def create_post(
    api: httpx.AsyncClient, author: Account, title: str = "A title", *, published: bool = True
) -> dict[str, Any]:
    response = await api.post(
        POSTS,
        headers=author.headers,
        json={"title": title, "content": "Body.", "published": published},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def post_changed(action: ChangeAction = ChangeAction.CREATED) -> ChangeEvent:
    return ChangeEvent(
        entity="post",
        action=action,
        entity_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        public=True,
        data={"title": "Hello"},
    )


# --- who sees what ------------------------------------------------------------------------


async def test_everyone_sees_published_posts_and_only_the_author_sees_drafts(
    database_url: str,
) -> None:
    async with (
        running_app(database_url) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as api,
    ):
        author = await sign_up(api)
        async with follow(base_url) as anonymous, follow(base_url, author) as own:
            draft = await create_post(api, author, "Draft", published=False)
            post = await create_post(api, author, "Published")

            event = await next_event(anonymous)
            assert event.event == "post.created"
            assert data(event) == post  # the draft, published first, never reached it
            assert is_event_id(event.id)  # which the client can resume from

            first, second = await next_event(own), await next_event(own)
            assert [(first.event, data(first)["id"]), (second.event, data(second)["id"])] == [
                ("post.created", draft["id"]),
                ("post.created", post["id"]),
            ]


async def test_todo_events_reach_only_their_owner(database_url: str) -> None:
    async with (
        running_app(database_url) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as api,
    ):
        owner, other = await sign_up(api), await sign_up(api)
        async with follow(base_url, owner) as owners, follow(base_url, other) as others:
            response = await api.post(TODOS, headers=owner.headers, json={"title": "Mine"})
            todo = response.json()
            todo_url = f"{TODOS}/{todo['id']}"
            await api.patch(todo_url, headers=owner.headers, json={"completed": True})
            await api.delete(todo_url, headers=owner.headers)
            marker = await create_post(api, other, "Seen by everyone")

            received = [await next_event(owners) for _ in range(4)]
            assert [event.event for event in received] == [
                "todo.created",
                "todo.updated",
                "todo.deleted",
                "post.created",
            ]
            assert data(received[0]) == todo
            assert data(received[1])["completed"] is True
            assert data(received[2]) == {"id": todo["id"]}

            first = await next_event(others)  # the todo events, sent earlier, never came
            assert (first.event, data(first)["id"]) == ("post.created", marker["id"])


async def test_an_invalid_token_is_refused_before_the_stream_opens(database_url: str) -> None:
    async with (
        running_app(database_url) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as api,
    ):
        response = await api.get(EVENTS, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "INVALID_TOKEN"


# --- resuming -----------------------------------------------------------------------------


async def test_resume_delivers_exactly_the_missed_events(
    database_url: str, backend: dict[str, Any]
) -> None:
    async with (
        running_app(database_url, **backend) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as api,
    ):
        author = await sign_up(api)
        async with follow(base_url) as events:
            await create_post(api, author, "Seen")
            seen = await next_event(events)

        second = await create_post(api, author, "Missed 1")
        await create_post(api, author, "Draft", published=False)  # not for anonymous eyes
        third = await create_post(api, author, "Missed 2")

        async with follow(base_url, last_event_id=seen.id) as events:
            replayed = [await next_event(events), await next_event(events)]
            assert [data(event)["id"] for event in replayed] == [second["id"], third["id"]]
            positions = [event_position(event.id) for event in [seen, *replayed]]
            assert positions == sorted(positions)

            live = await create_post(api, author, "Live")
            assert data(await next_event(events))["id"] == live["id"]  # nothing twice


async def test_a_client_further_behind_than_the_buffer_is_told_to_reset(
    database_url: str,
) -> None:
    async with (
        running_app(database_url, events_replay_size=2) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as api,
    ):
        author = await sign_up(api)
        async with follow(base_url) as events:
            await create_post(api, author, "Seen")
            seen = await next_event(events)
        for title in ("One", "Two", "Three"):  # the buffer keeps the last two
            await create_post(api, author, title)

        async with follow(base_url, last_event_id=seen.id) as events:
            reset = await next_event(events)
            assert reset.event == "reset"
            assert "Fetch the current state again" in data(reset)["message"]
            assert event_position(reset.id) > event_position(seen.id)

            live = await create_post(api, author, "After the reset")
            event = await next_event(events)  # not "One", "Two" or "Three"
            assert data(event)["id"] == live["id"]


@pytest.mark.parametrize("last_event_id", ["not-an-id", "1-0"])
async def test_an_unknown_last_event_id_gets_a_reset(
    database_url: str, backend: dict[str, Any], last_event_id: str
) -> None:
    async with (
        running_app(database_url, **backend) as base_url,
        follow(base_url, last_event_id=last_event_id) as events,
    ):
        assert (await next_event(events)).event == "reset"


# --- the connection -----------------------------------------------------------------------


async def test_heartbeats_keep_an_idle_stream_alive(database_url: str) -> None:
    async with (
        running_app(database_url, events_heartbeat_seconds=0.1) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http,
    ):
        async with http.stream("GET", EVENTS) as response, asyncio.timeout(TIMEOUT):
            lines = [line async for line in _lines_until_ping(response)]
        assert lines[-1].startswith(": ping")


async def _lines_until_ping(response: httpx.Response) -> AsyncIterator[str]:
    async for line in response.aiter_lines():
        yield line
        if line.startswith(": ping"):
            return


async def test_streams_unsubscribe_on_disconnect_and_end_on_shutdown(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url))
    broker = services_of(app).event_broker
    async with serve(app) as server:
        async with follow(server.url):
            async with follow(server.url):
                assert broker.subscriber_count == 2
            await wait_until(lambda: broker.subscriber_count == 1)
        await wait_until(lambda: broker.subscriber_count == 0)

        async with (
            httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as http,
            http.stream("GET", EVENTS) as response,
        ):
            await wait_until(lambda: broker.subscriber_count == 1)
            await server.stop()  # with the stream still open: it ends properly
            assert broker.subscriber_count == 0
            body = await response.aread()
            assert body.startswith(b"retry: ")


# --- the broker on its own ----------------------------------------------------------------


async def test_a_subscriber_too_slow_to_keep_up_has_its_stream_ended() -> None:
    broker = MemoryBroker(replay_size=2)
    async with broker.subscribe(viewer_id=None) as subscription:
        for _ in range(3):  # nobody reads: the third does not fit
            await broker.publish(post_changed())
        received = [event async for event in subscription]
    assert len(received) == 2
    assert broker.subscriber_count == 0


async def test_an_event_both_replayed_and_delivered_live_is_passed_on_once() -> None:
    content = EventContent(type="post.created", data={})
    first, second, third = (StreamEvent(f"5-{n}", content) for n in (1, 2, 3))
    queue: EventQueue = asyncio.Queue()
    for event in (second, third, None):
        queue.put_nowait(event)
    subscription = Subscription(
        missed=[first, second], queue=queue, viewer_id=None, seen_up_to=second.id
    )
    assert [event.id async for event in subscription] == ["5-1", "5-2", "5-3"]


def test_ids_order_numerically() -> None:
    assert event_position("9-0") < event_position("10-0") < event_position("10-1")
    with pytest.raises(ValueError, match="not an event id"):
        event_position("10")


async def test_closing_the_broker_ends_every_stream() -> None:
    broker = MemoryBroker(replay_size=10)
    async with broker.subscribe(viewer_id=None) as subscription:
        await broker.close()
        assert [event async for event in subscription] == []


def unreachable_redis_broker() -> RedisStreamBroker:
    """A broker whose Redis refuses connections at once (nothing listens on port 1)."""
    redis = Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    return RedisStreamBroker(redis, key="refapp-test-unreachable:events", replay_size=10)


async def test_a_redis_outage_is_logged_and_never_raised_by_publish() -> None:
    broker = unreachable_redis_broker()
    with structlog.testing.capture_logs() as logs:
        await broker.publish(post_changed())
    assert [log["event"] for log in logs] == ["events_publish_failed"]


async def test_a_redis_outage_ends_a_new_stream_at_once() -> None:
    broker = unreachable_redis_broker()
    with pytest.raises(EventsUnavailableError):
        async with broker.subscribe(viewer_id=None):
            pass  # pragma: no cover
    assert broker.subscriber_count == 0
    with structlog.testing.capture_logs() as logs:
        assert [
            event async for event in server_sent_events(broker, None, None, anyio.Event())
        ] == []
    assert [log["event"] for log in logs] == ["events_stream_unavailable"]


async def test_when_the_redis_reader_fails_streams_end_and_the_next_one_restarts_it(
    redis_prefix: str,
) -> None:
    redis = Redis.from_url(REDIS_URL)
    key = f"{redis_prefix}events"
    broker = RedisStreamBroker(redis, key=key, replay_size=10)
    try:
        async with broker.subscribe(viewer_id=None) as subscription:
            await redis.set(key, "not a stream")  # the reader's next XREAD fails (WRONGTYPE)
            with structlog.testing.capture_logs() as logs:
                async with asyncio.timeout(TIMEOUT):
                    assert [event async for event in subscription] == []
            assert "events_reader_failed" in [log["event"] for log in logs]
        await redis.delete(key)

        await broker.publish(post_changed())  # the next reader starts after this one
        async with broker.subscribe(viewer_id=None) as subscription:
            await broker.publish(post_changed(ChangeAction.UPDATED))
            async with asyncio.timeout(TIMEOUT):
                event = await anext(subscription)
            assert event.content.type == "post.updated"
    finally:
        await broker.close()
        await redis.aclose()


# --- two instances on Redis ---------------------------------------------------------------


async def wait_until_live(base_url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    """Poll the liveness probe. Start-up imports the whole app: allow for a busy machine."""
    async with httpx.AsyncClient(base_url=base_url, timeout=1) as http:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while process.returncode is None:
                try:
                    if (await http.get("/api/v1/health/live")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    pytest.fail(f"uvicorn exited during start-up:\n{output}")


async def test_an_event_caused_on_one_instance_reaches_a_client_of_another(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("APP_")}
    environment |= {
        "APP_ENVIRONMENT": "test",
        "APP_DATABASE_URL": database_url,  # one SQLite file, migrated, shared by both
        "APP_AUTO_MIGRATE": "false",
        "APP_SECRET_KEY": TEST_SECRET_KEY,  # a token from A is valid on B
        "APP_REDIS_URL": REDIS_URL,
        "APP_REDIS_KEY_PREFIX": redis_prefix,
        "APP_LOG_LEVEL": "WARNING",
    }
    processes: list[asyncio.subprocess.Process] = []
    try:
        urls, logs = [], []
        for name in ("a", "b"):
            port, log = free_port(), tmp_path / f"{name}.log"
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    *(sys.executable, "-m", "uvicorn", "--factory"),
                    *("reference_app.main:create_app", "--host", "127.0.0.1"),
                    *("--port", str(port), "--log-level", "warning"),
                    env=environment,
                    cwd=tmp_path,  # away from any .env file
                    stdout=output,
                    stderr=output,
                )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        await asyncio.gather(*map(wait_until_live, urls, processes, logs))
        url_a, url_b = urls

        async with httpx.AsyncClient(base_url=url_a, timeout=TIMEOUT) as api_a:
            author = await sign_up(api_a)
            async with follow(url_b) as anonymous, follow(url_b, author) as own:
                draft = await create_post(api_a, author, "Draft via A", published=False)
                post = await create_post(api_a, author, "Published via A")

                event = await next_event(anonymous)
                assert (event.event, data(event)["id"]) == ("post.created", post["id"])
                assert data(await next_event(own))["id"] == draft["id"]
                assert data(await next_event(own))["id"] == post["id"]
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            try:
                async with asyncio.timeout(TIMEOUT):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
