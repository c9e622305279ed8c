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
    # TODO 1: no Last-Event-ID (None) is a new client: it missed nothing.
    # TODO 2: find the event whose id is last_event_id; return a list of the events after it.
    # TODO 3: an id the buffer does not hold (trimmed, from before a restart, or not an id at
    #         all) cannot prove that nothing was lost: return None, and the client is reset.
    return []
