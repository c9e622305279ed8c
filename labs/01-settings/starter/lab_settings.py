"""Lab 1 — a validated setting that production enforces.

``LabSettings`` is the app's ``Settings`` plus one new setting, ``allowed_hosts``
(``APP_ALLOWED_HOSTS``): the host names the app answers to. The README says what it must do;
run ``workbook lab check 01`` (or ``python -m pytest`` in your own copy) to see how far you are.
"""

import re

from reference_app.core.config import Settings

# A host name, optionally behind a "*." wildcard (e.g. *.example.com), or "*" for any host.
# Lower case only: normalise the entries before you match them.
HOST_PATTERN = re.compile(r"\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")


class LabSettings(Settings):
    """The app's settings plus ``allowed_hosts``."""

    # TODO 1: declare `allowed_hosts`, a list of strings that defaults to ["*"]. Mark it
    #         `Annotated[list[str], NoDecode]` (as `cors_origins` is) so that pydantic-settings
    #         hands your validator the raw text of APP_ALLOWED_HOSTS instead of parsing JSON.
    # TODO 2: a field validator (mode="before") that turns "a.com, b.com" or '["a.com"]' into a
    #         list.
    # TODO 3: a field validator (after) that strips and lower-cases every entry, drops empty
    #         ones, and raises ValueError for an entry that does not match HOST_PATTERN.
    # TODO 4: a model validator (mode="after") that, in production only, raises
    #         InsecureConfigurationError naming APP_ALLOWED_HOSTS when the list is empty or
    #         contains "*". Give it a new name: the app's own checks must keep running.
