"""Lab 5, hidden tests: the instructor grades with these as well as the public ones."""

from collections import deque
from types import ModuleType
from typing import Any

import pytest
from labsupport.app import sign_up


def ids(events: Any) -> Any:
    """The ids of a list of events (anything else, such as ``None``, as it is)."""
    return [event.id for event in events] if isinstance(events, list) else events


def test_no_last_event_id_replays_nothing(lab: ModuleType, make_events: Any) -> None:
    """Without Last-Event-ID (None) the client is new, not reconnecting: return an empty list,
    not None (a new client needs no reset)."""
    replayed = lab.events_to_replay(make_events(3), None)
    assert replayed == [], f"no Last-Event-ID gave {ids(replayed)!r}"


def test_the_newest_id_replays_nothing(lab: ModuleType, make_events: Any) -> None:
    """A client that had the newest event missed nothing: an empty list, not a reset."""
    buffer = make_events(4)
    replayed = lab.events_to_replay(buffer, buffer[-1].id)
    assert replayed == [], f"the newest id gave {ids(replayed)!r}"


def test_an_id_from_before_a_restart_is_a_reset(lab: ModuleType, make_events: Any) -> None:
    """Ids start with the broker's start time: after a restart, an old id may have a counter in
    the buffer's range yet name an event the buffer never held. Only an exact match resumes."""
    buffer = make_events(5, start=2_000_000_000_000)
    replayed = lab.events_to_replay(buffer, f"{1_000_000_000_000}-3")
    assert replayed is None, f"an id from before a restart gave {ids(replayed)!r}"


@pytest.mark.parametrize("header", ["", "latest", "3", f"{10**12}-3-1", "1700000000000-x", " 1"])
def test_a_malformed_id_is_a_reset(lab: ModuleType, make_events: Any, header: str) -> None:
    """Last-Event-ID is whatever the client sends: a value that is not an id of the buffer is a
    reset (None), and must never raise (an exception would break the stream)."""
    replayed = lab.events_to_replay(make_events(3), header)
    assert replayed is None, f"Last-Event-ID {header!r} gave {ids(replayed)!r}"


def test_works_on_the_broker_s_deque_and_leaves_it_alone(lab: ModuleType, make_events: Any) -> None:
    """The broker's buffer is a deque with maxlen (its oldest events fall out). Return a new
    list of the events after the id; never change the buffer itself."""
    buffer = deque(make_events(7), maxlen=5)  # holds events 3 to 7
    before = list(buffer)
    replayed = lab.events_to_replay(buffer, before[1].id)
    assert isinstance(replayed, list), f"returned a {type(replayed).__name__}, not a list"
    assert ids(replayed) == ids(before[2:])
    assert list(buffer) == before, "the buffer was changed"


async def test_a_client_too_far_behind_gets_a_reset_then_new_events(live_app: Any) -> None:
    """When the events a client missed are no longer all in the buffer, it receives one reset
    event (the app sends it when you return None), then new events as usual."""
    async with live_app(events_replay_size=2) as app:
        author = await sign_up(app.api)
        async with app.follow() as messages:
            await app.post(author, "Seen")
            seen = await app.receive(messages)
        for number in range(3):  # the buffer keeps 2: "Seen" falls out
            await app.post(author, f"Missed {number}")
        async with app.follow(last_event_id=seen.id) as messages:
            await app.post(author, "Live")
            received = await app.titles_until(messages, "Live")
    assert received == ["reset", "Live"], f"after reconnecting: {received}"
