"""Job metrics and tracing, from Celery's signals.

Counts every task of this app (names under ``reference_app.``) in the metrics that
:mod:`reference_app.observability.metrics` defines — ``jobs_total{task,state}`` (``succeeded``,
``failed``, ``retried``), ``job_duration_seconds{task}``, ``dead_letters_total{task}`` (see
:meth:`~reference_app.task_queue.base.JobTask.on_failure`) and ``job_queue_length{queue}`` — and
starts tracing in worker processes
(:func:`reference_app.observability.tracing.configure_process_tracing`).

A worker started with ``celery ... worker`` also serves its metrics on the port of the setting
``worker_metrics_port`` (``APP_WORKER_METRICS_PORT``, 9808; ``0`` turns it off) and samples the
length of its queues every ``QUEUE_SAMPLE_SECONDS``. With the prefork pool, tasks run in child
processes: set ``PROMETHEUS_MULTIPROC_DIR`` (see ``observability/metrics.py``) so that the
server adds up every process's counts.
"""

import os
import threading
import time
from typing import Any

import structlog
from celery import signals

from reference_app.core.config import Settings
from reference_app.observability import metrics, metrics_endpoint
from reference_app.task_queue.runtime import runtime_of

logger = structlog.get_logger(__name__)

TASK_PREFIX = "reference_app."
QUEUE_SAMPLE_SECONDS = 15.0
DEFAULT_WORKER_METRICS_PORT: int = Settings.model_fields["worker_metrics_port"].default

_started_at: dict[str, float] = {}
_lock = threading.Lock()
_installed = False
_in_command_line_worker = False


def _ours(task: Any) -> bool:
    return str(getattr(task, "name", "")).startswith(TASK_PREFIX)


def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task_id and _ours(task):
        _started_at[task_id] = time.perf_counter()


def _on_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    if not task_id or not _ours(task):
        return
    started = _started_at.pop(task_id, None)
    if started is not None:
        metrics.JOB_DURATION.labels(task=task.name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        metrics.JOBS.labels(task=task.name, state="succeeded").inc()
    elif state == "FAILURE":
        metrics.JOBS.labels(task=task.name, state="failed").inc()


def _on_retry(request: Any = None, sender: Any = None, **_: Any) -> None:
    if _ours(sender):
        metrics.JOBS.labels(task=sender.name, state="retried").inc()


def record_dead_letter(task_name: str) -> None:
    metrics.DEAD_LETTERS.labels(task=task_name).inc()


def _start_tracing(**_: Any) -> None:
    """In each process of a ``celery worker`` that runs tasks (after the fork, for prefork).

    Not in the embedded or test workers: tracing is process-wide, and set up once per process.
    """
    if not _in_command_line_worker:
        return
    from reference_app.observability.tracing import configure_process_tracing

    configure_process_tracing()


def queue_length(app: Any, queue: str) -> int:
    with app.connection_for_read() as connection:
        # Not passive: on Redis a passive declare of an empty queue (no key) fails with 404,
        # and the gauge would never come back to 0. Declaring an existing queue changes nothing.
        declared = connection.default_channel.queue_declare(queue=queue, passive=False)
        return int(declared.message_count)


def _sample_queues(app: Any, queues: list[str]) -> None:
    while True:
        for queue in queues:
            try:
                metrics.JOB_QUEUE_LENGTH.labels(queue=queue).set(queue_length(app, queue))
            except Exception:  # the broker is down: the gauge keeps its last value
                logger.warning("queue_length_unavailable", queue=queue, exc_info=True)
        time.sleep(QUEUE_SAMPLE_SECONDS)


def _on_worker_init(sender: Any = None, **_: Any) -> None:
    """``celery worker`` only (not the embedded or test workers): serve metrics on a port."""
    from celery.apps.worker import Worker as CommandLineWorker

    global _in_command_line_worker
    if not isinstance(sender, CommandLineWorker):
        return
    _in_command_line_worker = True
    port = runtime_of(sender.app).settings.worker_metrics_port
    if port == 0:
        return
    from prometheus_client import start_http_server

    start_http_server(port, registry=metrics_endpoint.exposition_registry())
    queues = [queue.name for queue in sender.app.amqp.queues.values()] or ["celery"]
    threading.Thread(target=_sample_queues, args=(sender.app, queues), daemon=True).start()


def _forget_dead_child(**_: Any) -> None:
    """A prefork child is exiting: drop its live gauges from the shared multiprocess files.

    Counters and histograms stay (they are totals); gauges of a dead process would otherwise be
    added up forever. The same call gunicorn's ``child_exit`` hook makes.
    """
    if metrics.MULTIPROCESS_DIR is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def install_signal_handlers() -> None:
    """Connect once per process (the handlers serve every Celery app of the process)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    signals.task_prerun.connect(_on_prerun, weak=False)
    signals.task_postrun.connect(_on_postrun, weak=False)
    signals.task_retry.connect(_on_retry, weak=False)
    signals.worker_init.connect(_on_worker_init, weak=False)
    signals.worker_process_init.connect(_start_tracing, weak=False)
    signals.worker_process_shutdown.connect(_forget_dead_child, weak=False)
