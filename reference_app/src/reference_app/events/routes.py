"""``GET /api/v1/events``: changes to posts and todos as they happen, as Server-Sent Events.

Each event has an ``id``, a type (``post.created``, ``todo.deleted``, ...) and JSON data: the
entity after the change, or just its id once deleted. Everyone receives published posts; a
client sending a valid ``Authorization: Bearer`` token also receives its own todos and drafts.
The token is checked when the stream opens (browsers' ``EventSource`` cannot send headers: use
a fetch-based SSE client).

A client that reconnects sends ``Last-Event-ID`` (``EventSource`` does this by itself) and
first receives the events it missed. When those are no longer retained, it receives one
``reset`` event instead: it should fetch the current state again, then keep following.

A comment line (``: ping``) every ``APP_EVENTS_HEARTBEAT_SECONDS`` keeps proxies from closing
an idle connection. When the client disconnects, sse-starlette cancels the stream; when the
server shuts down, it tells the stream (``shutdown_event``), which then finishes properly, so
the client reconnects (to another instance, during a rolling deploy) instead of seeing a broken
response. Either way, leaving :meth:`EventBroker.subscribe` unsubscribes.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import structlog
from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from reference_app.api.deps import SessionDep, SettingsDep
from reference_app.auth.dependencies import OptionalUser
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.events.broker import EventBroker, EventsUnavailableError, Subscription

logger = structlog.get_logger(__name__)

RECONNECT_MILLISECONDS = 2000
"""Sent as ``retry:`` first thing: how long a client waits before reconnecting."""
SHUTDOWN_GRACE_SECONDS = 1.0
"""How long a stream may take to finish at shutdown before sse-starlette cancels it."""

router = APIRouter(prefix="/events", tags=["events"], responses=ERROR_RESPONSES)


@router.get(
    "",
    response_class=EventSourceResponse,
    summary="Follow changes to posts and todos live (Server-Sent Events)",
    responses={200: {"content": {"text/event-stream": {}}, "description": "An endless stream"}},
)
async def stream_events(
    request: Request,
    viewer: OptionalUser,
    session: SessionDep,
    settings: SettingsDep,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", description="Resume after this event (sent on reconnects)."),
    ] = None,
) -> EventSourceResponse:
    # The token is checked; give the database connection back. A stream stays open for hours
    # and must not hold one of the few pooled connections all that time.
    await session.close()
    broker: EventBroker = request.app.state.services.event_broker
    viewer_id = viewer.id if viewer is not None else None
    shutdown = anyio.Event()
    return EventSourceResponse(
        server_sent_events(broker, viewer_id, last_event_id, shutdown),
        ping=settings.events_heartbeat_seconds,
        shutdown_event=shutdown,
        shutdown_grace_period=SHUTDOWN_GRACE_SECONDS,
    )


async def server_sent_events(
    broker: EventBroker,
    viewer_id: uuid.UUID | None,
    last_event_id: str | None,
    shutdown: anyio.Event,
) -> AsyncIterator[ServerSentEvent]:
    """The stream for one client: ``retry``, then its events, until it ends or shutdown."""
    try:
        async with broker.subscribe(viewer_id, last_event_id) as subscription:
            watcher = asyncio.create_task(_end_at_shutdown(subscription, shutdown))
            try:
                # Also tells the client that it is subscribed: no later change will be missed.
                yield ServerSentEvent(retry=RECONNECT_MILLISECONDS)
                async for event in subscription:
                    yield ServerSentEvent(
                        id=event.id, event=event.content.type, data=json.dumps(event.content.data)
                    )
            finally:
                watcher.cancel()
    except EventsUnavailableError:
        # End the stream; the client retries after its reconnect delay.
        logger.warning("events_stream_unavailable", exc_info=True)


async def _end_at_shutdown(subscription: Subscription, shutdown: anyio.Event) -> None:
    await shutdown.wait()
    subscription.end()
