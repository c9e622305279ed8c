"""A business metric: committed changes to posts and todos, by entity and action.

The app announces every committed change to its change listeners
(``Services.change_listeners``, see ``reference_app/changes.py``); the cache and the live
event stream are listeners already. Counting is one more: no route or service changes.
"""

from prometheus_client import Counter

from reference_app.changes import ChangeEvent

CONTENT_ENTITIES = frozenset({"post", "todo"})

CONTENT_CHANGES = Counter(
    "content_changes_total",
    "Committed changes to posts and todos, by entity and action.",
    ["entity", "action"],
)


async def count_change(event: ChangeEvent) -> None:
    """Count a committed change to a post or a todo; other entities are not content."""
    if event.entity in CONTENT_ENTITIES:
        CONTENT_CHANGES.labels(entity=event.entity, action=event.action.value).inc()
