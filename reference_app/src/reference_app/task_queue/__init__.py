"""How background jobs run, with Celery; it knows no feature, so every feature can use it.

- ``factory.py``: a Celery app built from settings (broker choice), with the tasks it is given.
- ``base.py``: what every task shares — retries with back-off, dead letters, async code — and
  ``TaskSpec``, how a feature lists its tasks (in its own ``tasks.py``).
- ``sending.py``: sending an email at most once, however often a task is delivered.
- ``email.py``: console, file and SMTP backends.
- ``queue.py``: enqueueing from the API, after commit; ``embedded.py``: the in-process worker.
- ``models.py``, ``schemas.py``: jobs, dead letters and sent-email keys, in the database.
- ``observability.py``: job metrics and tracing from Celery's signals.

``jobs/`` puts every feature's tasks together (``jobs/registry.py``) and runs the worker.
"""
