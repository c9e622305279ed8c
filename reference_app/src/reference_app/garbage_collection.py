"""Keep the garbage collector's full collections short in a long-running server.

CPython frees most objects the moment their last reference goes. The cyclic garbage collector
is for the rest, and now and then it runs a *full* collection, which walks every object it
tracks while the event loop waits: every request in flight stops for as long as it takes. After
start-up most of those objects are the app's own machinery (modules, classes, routes, SQLAlchemy
and pydantic models), which live as long as the process. ``gc.freeze()`` moves everything alive
at that point to a permanent generation that collections skip, so a full collection walks only
what requests created since. ``bench/RESULTS.md`` has the pauses measured before and after.
"""

import gc


def freeze_startup_objects() -> None:
    """Collect start-up's garbage, then hide every object still alive from later collections.

    Objects frozen here are still freed as usual when their last reference goes; only a cycle
    among them would outlive its use, which is why start-up's garbage is collected first.
    """
    gc.collect()
    gc.freeze()


def unfreeze_objects() -> None:
    """Give the frozen objects back to the collector (an app stopping in a longer process)."""
    gc.unfreeze()
