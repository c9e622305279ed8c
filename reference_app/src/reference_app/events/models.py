"""What an event is, and who may see it.

An event is what one committed change (:class:`~reference_app.changes.ChangeEvent`) looks
like on the wire: a type such as ``post.created``, JSON data, and an id that the broker assigns
when it records the event. Ids have the form ``<number>-<number>`` for both backends (Redis
stream ids do; the memory backend copies the shape), so a pair of numbers orders them.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from reference_app.changes import ChangeAction, ChangeEvent

RESET = "reset"
"""The type of the event sent when a client asks to resume from an id we no longer hold."""

_EVENT_ID = re.compile(r"(\d+)-(\d+)")


class EventContent(BaseModel):
    """Everything about an event except its id.

    ``owner_id`` and ``public`` never reach the client: they decide who receives the event.
    """

    model_config = ConfigDict(frozen=True)

    type: str
    data: dict[str, Any]
    owner_id: uuid.UUID | None = None
    public: bool = True

    @classmethod
    def from_change(cls, change: ChangeEvent) -> "EventContent":
        """The entity's state plus its id; for a delete, only the id (nothing else is left)."""
        state = {} if change.action is ChangeAction.DELETED else (change.data or {})
        return cls(
            type=f"{change.entity}.{change.action.value}",
            data={**state, "id": str(change.entity_id)},
            owner_id=change.owner_id,
            public=change.public,
        )

    def visible_to(self, viewer_id: uuid.UUID | None) -> bool:
        """Public events go to everyone; private ones (todos, drafts) only to their owner."""
        return self.public or (viewer_id is not None and viewer_id == self.owner_id)


@dataclass(frozen=True)
class StreamEvent:
    """An event as recorded by a broker: its id, and what happened."""

    id: str
    content: EventContent


def is_event_id(value: str) -> bool:
    """Whether ``value`` has the shape of an event id (a client's Last-Event-ID may not)."""
    return _EVENT_ID.fullmatch(value) is not None


def event_position(event_id: str) -> tuple[int, int]:
    """The id as a pair of numbers, which sort in the order the events happened.

    Comparing the strings would not work: ``"9-0"`` sorts after ``"10-0"``.
    """
    match = _EVENT_ID.fullmatch(event_id)
    if match is None:
        raise ValueError(f"not an event id: {event_id!r}")
    return int(match[1]), int(match[2])


def reset_event(latest_id: str) -> StreamEvent:
    """The event telling a client that it missed more than we can replay.

    It carries the id of the newest event, so after refetching its state the client resumes
    from here on its next reconnect.
    """
    return StreamEvent(
        id=latest_id,
        content=EventContent(
            type=RESET,
            data={
                "message": "The events since your Last-Event-ID are no longer available "
                "(too old, or unknown to this server). Fetch the current state again; "
                "this stream continues with new events."
            },
        ),
    )
