"""Lab 5 — resuming an event stream from ``Last-Event-ID``.

A client that reconnects to ``GET /api/v1/events`` sends the id of the last event it received.
The broker keeps its most recent events in a bounded *replay buffer* (oldest first); this
function decides what such a client gets first: the events it missed, or a reset.

The lab's tests call it directly, and through the app: its in-process broker
(``reference_app/events/memory.py``) asks this function instead of its own code, and when you
return ``None`` it sends the client one ``reset`` event.
"""

from collections.abc import Sequence

from reference_app.events.models import StreamEvent


def events_to_replay(
    buffer: Sequence[StreamEvent], last_event_id: str | None
) -> list[StreamEvent] | None:
    """The events in ``buffer`` after ``last_event_id``, oldest first; ``None``: reset."""
    if last_event_id is None:
        return []  # a new client, not a reconnect: it missed nothing
    events = list(buffer)  # a copy: the broker keeps appending to (and trimming) its buffer
    # Only an id the buffer still holds proves that nothing between it and the buffer was
    # lost. An id that is older, from before a restart, or not an id at all, is never found:
    # no need to parse it (and a malformed one cannot make this raise).
    for position, event in enumerate(events):
        if event.id == last_event_id:
            return events[position + 1 :]
    return None
