"""The Celery app that ``celery -A reference_app.jobs.celery_app worker|beat`` runs.

Configured from the environment (``APP_*``), like the API::

    celery -A reference_app.jobs.celery_app worker --loglevel=INFO
    celery -A reference_app.jobs.celery_app beat --loglevel=INFO

The API builds its own app from its settings (:func:`~reference_app.jobs.registry.create_jobs_app`)
to enqueue jobs; this module is for the worker and beat processes only.
"""

from reference_app.core.config import get_settings
from reference_app.jobs.registry import create_jobs_app

app = celery_app = create_jobs_app(get_settings())
