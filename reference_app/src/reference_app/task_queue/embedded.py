"""The worker thread the API runs itself when there is no broker (the embedded default).

With the embedded queue (see :mod:`reference_app.task_queue.factory`), ``create_app``'s lifespan
starts one Celery worker in a thread of the API process (``solo`` pool: one task at a time; a
retry waiting for its countdown runs from the worker's timer thread) and stops it at shutdown.
Jobs still go through a real queue and run outside the request, so the code path is the
production one; only the process is shared. Changes the tasks announce (an export is done) are
handed to the app's own change listeners, on the app's event loop, since the worker's tasks run
on event loops of their own.
"""

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import structlog
from celery.utils.timer2 import Timer
from celery.worker import WorkController, state

from reference_app.changes import ChangeEvent, ChangeListener, ChangeNotifier
from reference_app.task_queue.runtime import runtime_of

logger = structlog.get_logger(__name__)

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
HAND_OVER_TIMEOUT_SECONDS = 5.0


class _WorkController(WorkController):  # type: ignore[misc]  # celery ships no type information
    """A worker that says when it is consuming."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.started = threading.Event()
        super().__init__(*args, **kwargs)

    def on_consumer_ready(self, consumer: Any) -> None:
        self.started.set()


def _timer_class(celery_app: Any) -> type[Timer]:
    """The worker's timer thread, which runs tasks with a countdown (retries).

    Like the worker's own thread, it must look tasks up in *this* app: left alone it would use
    Celery's default app, find no such task, and the retry would be lost.
    """

    class AppTimer(Timer):  # type: ignore[misc]  # celery ships no type information
        def run(self) -> None:
            celery_app.set_current()
            super().run()

    return AppTimer


def forward_to_loop(
    listeners: Sequence[ChangeListener], loop: asyncio.AbstractEventLoop
) -> ChangeListener:
    """A listener, for a task's event loop, that runs ``listeners`` on ``loop`` (the app's)."""

    async def forward(event: ChangeEvent) -> None:
        future = asyncio.run_coroutine_threadsafe(ChangeNotifier(listeners).notify(event), loop)
        await asyncio.wait_for(asyncio.wrap_future(future), HAND_OVER_TIMEOUT_SECONDS)

    return forward


class EmbeddedWorker:
    def __init__(self, celery_app: Any) -> None:
        self.celery_app = celery_app
        self._worker: _WorkController | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        worker = _WorkController(
            app=self.celery_app,
            hostname=f"embedded-{threading.get_native_id()}@reference-app",
            pool="solo",
            concurrency=1,
            ready_callback=None,
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            timer_cls=_timer_class(self.celery_app),
        )

        def run() -> None:
            # The worker looks tasks up in the thread's *current* app; in a thread of our own
            # that would be Celery's default app, not this one.
            self.celery_app.set_current()
            worker.start()

        thread = threading.Thread(target=run, name="jobs-worker", daemon=True)
        thread.start()
        if not worker.started.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("the embedded jobs worker did not start")
        self._worker, self._thread = worker, thread
        logger.info("jobs_worker_started", mode="embedded")

    def stop(self) -> None:
        """Warm shutdown: the task in hand finishes; queued messages stay for the next start."""
        if self._thread is None:
            return
        # Celery's own way to end a worker loop from outside (as in celery.contrib.testing).
        state.should_stop = 0
        self._thread.join(STOP_TIMEOUT_SECONDS)
        state.should_stop = None
        if self._thread.is_alive():
            logger.warning("jobs_worker_still_running")
        self._worker = self._thread = None
        logger.info("jobs_worker_stopped")


async def start_in_process_worker(
    celery_app: Any, listeners: Sequence[ChangeListener]
) -> EmbeddedWorker:
    """Start the worker thread; tasks' changes reach ``listeners`` on the running loop."""
    runtime_of(celery_app).in_process_listeners = [
        forward_to_loop(listeners, asyncio.get_running_loop())
    ]
    worker = EmbeddedWorker(celery_app)
    await asyncio.to_thread(worker.start)
    return worker
