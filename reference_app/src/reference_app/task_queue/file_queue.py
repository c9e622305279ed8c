"""The embedded queue's transport: kombu's ``filesystem://``, with messages written atomically.

kombu's own transport creates a message's file, then writes it. A consumer that lists the
folder in between claims the file by renaming it and reads it empty: the JSON fails to decode
and the worker stops for good ("Unrecoverable error"), seen in this project's CI. Here a message
is written under a name no consumer looks at and renamed into the queue once complete; a
rename within one folder is atomic, so a consumer sees a whole message or none.
"""

import os
import tempfile
import time
import uuid
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps

TRANSPORT = "reference_app.task_queue.file_queue:Transport"
"""The ``broker_transport`` that selects this transport (see ``task_queue/factory.py``)."""


class Channel(filesystem.Channel):
    # kombu's two base classes name the second parameter differently; this is filesystem's.
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put ``payload`` on ``queue``: a complete file appears, or nothing does."""
        # The name kombu gives messages: time first, so consumers take them in order.
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        # ".partial" never matches "<queue>.msg", which is what consumers look for.
        descriptor, partial = tempfile.mkstemp(dir=folder, prefix=".", suffix=".partial")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(dumps(payload).encode())  # type: ignore[no-untyped-call]
            os.replace(partial, os.path.join(folder, name))
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self) -> dict[str, Any]:
        # A folder has no host. kombu's virtual transports default to hostname "localhost",
        # and then warn at every connection that "no hostname was supplied".
        return {"port": self.default_port}
