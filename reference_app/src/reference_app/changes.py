"""Change notifications: services announce what changed; listeners react.

Services call :meth:`ChangeNotifier.notify` after their transaction commits. Listeners — the
caches (invalidation), the author's "your post is published" email, and the live event stream
(SSE) — are named in the app's services (``Services.change_listeners``, see
``reference_app/services.py``). A service does not know who listens, so adding a reaction never
touches business code.

The one rule for reacting after a commit: a reaction to *what changed*, whoever changed it (a
route or a background task), is a listener here; work the *caller asked for* (the welcome email
of their sign-up, a reset link, a data export) is enqueued by the route that took the request,
after the commit (``task_queue/queue.py``).

A listener that fails is logged and skipped: the change is already committed, and a broken
side effect must not turn a successful request into an error.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import structlog

logger = structlog.get_logger(__name__)


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True)
class ChangeEvent:
    """One committed change to an entity.

    ``public`` says whether everyone may learn of it (a published post, or one that was
    published until this change); otherwise only ``owner_id`` may. ``data`` is the entity's
    JSON-ready state after the change (``None`` once deleted).
    """

    entity: str
    action: ChangeAction
    entity_id: uuid.UUID
    owner_id: uuid.UUID
    public: bool
    data: dict[str, Any] | None = field(default=None)


ChangeListener = Callable[[ChangeEvent], Awaitable[None]]


class ChangeNotifier:
    """Calls every listener for each change, isolating their failures."""

    def __init__(self, listeners: Sequence[ChangeListener]) -> None:
        self._listeners = listeners

    async def notify(self, event: ChangeEvent) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:  # a failed side effect is logged, never raised to the client
                logger.exception(
                    "change_listener_failed",
                    listener=getattr(listener, "__qualname__", repr(listener)),
                    entity=event.entity,
                    action=event.action.value,
                )
