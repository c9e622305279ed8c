"""Lab 5, public tests: run them with ``workbook lab check 05``."""

from types import ModuleType
from typing import Any

from labsupport.app import sign_up


def ids(events: Any) -> Any:
    """The ids of a list of events (anything else, such as ``None``, as it is)."""
    return [event.id for event in events] if isinstance(events, list) else events


def test_replays_the_events_after_the_last_id(lab: ModuleType, make_events: Any) -> None:
    """Find the event whose id equals last_event_id and return the events after it, oldest first
    (not the event itself: the client has it already)."""
    buffer = make_events(5)
    replayed = lab.events_to_replay(buffer, buffer[1].id)
    assert ids(replayed) == ids(buffer[2:]), f"after {buffer[1].id}"


def test_an_id_older_than_the_buffer_is_a_reset(lab: ModuleType, make_events: Any) -> None:
    """The buffer keeps the last events only. An id it no longer holds (trimmed) cannot prove
    that nothing was lost in between: return None, and the client is sent a reset."""
    buffer = make_events(5, first=6)  # events 1 to 5 were trimmed
    replayed = lab.events_to_replay(buffer, make_events(5)[2].id)
    assert replayed is None, f"a trimmed id gave {ids(replayed)!r}, not None (a reset)"


async def test_a_reconnecting_client_gets_the_events_it_missed(live_app: Any) -> None:
    """A client that reconnects with Last-Event-ID first receives the events published while it
    was away, in order, then new ones: the app's broker replays what events_to_replay returns."""
    async with live_app() as app:
        author = await sign_up(app.api)
        async with app.follow() as messages:
            await app.post(author, "Seen")
            seen = await app.receive(messages)
        await app.post(author, "Missed 1")
        await app.post(author, "Missed 2")
        async with app.follow(last_event_id=seen.id) as messages:
            await app.post(author, "Live")
            received = await app.titles_until(messages, "Live")
    assert received == ["Missed 1", "Missed 2", "Live"], f"after reconnecting: {received}"
