"""Background jobs as the app runs them: every feature's tasks, the worker, job status.

- ``registry.py``: every task of the app (each feature lists its own in its ``tasks.py``) and
  the Celery app built with them, with Beat's schedule;
  ``celery_app.py``: the one ``celery -A reference_app.jobs.celery_app worker|beat`` runs.
- ``cleanup.py``: the daily cleanup, which reaches into several features' tables.
- ``service.py``, ``routes.py``: a job's status for its owner; dead letters for superusers.

How a job runs (queue, retries, dead letters, email backends) is ``task_queue/``, which knows
no feature, so that every feature can use it.
"""
