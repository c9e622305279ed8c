"""How a task failed decides what happens next.

- :class:`TransientJobError` (and database/network errors, see ``TRANSIENT_ERRORS`` in
  :mod:`reference_app.task_queue.base`): retried with exponential back-off, then dead-lettered.
- :class:`PermanentJobError` (an address the mail server rejects, bad input): dead-lettered at
  once; retrying could not help.
"""


class TransientJobError(Exception):
    """Worth another try later."""


class PermanentJobError(Exception):
    """Will fail the same way every time: do not retry."""
