"""Background jobs with Celery: emails, data exports, the daily cleanup.

- ``factory.py``: the Celery app built from settings (broker choice, schedule);
  ``celery_app.py``: the one ``celery -A reference_app.jobs.celery_app worker|beat`` runs.
- ``base.py``: what every task shares — retries with back-off, dead letters, async code.
- ``tasks.py``: the tasks, and what makes each idempotent.
- ``email.py``: console, file and SMTP backends.
- ``queue.py``: enqueueing from the API, after commit; ``embedded.py``: the in-process worker.
- ``service.py``, ``routes.py``: exports, job status, dead letters.
- ``observability.py``: job metrics and tracing from Celery's signals.
"""
