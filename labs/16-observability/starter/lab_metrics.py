"""A business metric: committed changes to posts and todos, by entity and action.

The app announces every committed change to its change listeners
(``Services.change_listeners``, see ``reference_app/changes.py``); the cache and the live
event stream are listeners already. Counting is one more: no route or service changes.
"""

from reference_app.changes import ChangeEvent

# TODO: define the counter content_changes_total, labelled by entity and action.


async def count_change(event: ChangeEvent) -> None:
    """Count a committed change to a post or a todo; other entities are not content."""
    # TODO: count the event in content_changes_total (posts and todos only).
