"""A circuit breaker: stop calling a dependency that keeps failing, then try it again, once.

Redis is optional for every request (the cache falls back to the database, the rate limiter to
counting in process), but a *frozen* Redis is worse than a dead one: each call waits for its own
socket timeout. Measured before this breaker, a Redis stopped with SIGSTOP made every request
take 3-7 s, one timeout per Redis call on its path.

The breaker has three states:

- **closed**: calls go through. ``failure_threshold`` failures in a row open it, and so does
  one failure of a kind listed in ``open_at_once_on`` (for Redis: a timeout).
- **open**: calls fail at once with :class:`CircuitOpenError`, for ``cooldown_seconds``; the
  callers serve their fallback without waiting.
- **half-open**: after the cool-down, *one* call is let through as a trial while the others
  still fail fast. Its success closes the breaker; its failure opens it for another cool-down.

Why a timeout opens it at once: a refused connection fails in microseconds, so waiting for three
of them in a row costs nothing. A timeout means the call waited the full socket timeout, and the
server that made it wait is likely to make the next call wait too. While the breaker counted to
three timeouts, the requests already in flight (up to one per client) went on to their next Redis
call and waited again: measured on a loaded machine, requests started in the second after a
freeze waited a full second each, and the fault test's bound failed one CI run in four.

Written by hand (about 60 lines) because the libraries do not fit a hot path: ``circuitbreaker``
lets every concurrent call through once the cool-down ends (each waits a timeout when the
dependency is still frozen), and ``purgatory`` runs a message bus on every call.
"""

import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

import structlog

logger = structlog.get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitOpenError(Exception):
    """The dependency is not called: it failed recently and its cool-down is not over."""


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 3,
        cooldown_seconds: float = 5.0,
        open_at_once_on: tuple[type[Exception], ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_seconds = cooldown_seconds
        self.open_at_once_on = open_at_once_on
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._trial_running or self._clock() - self._opened_at >= self.cooldown_seconds:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    async def call(
        self, operation: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``await operation(*args, **kwargs)``, or :class:`CircuitOpenError` without calling it.

        Any exception the operation raises counts as a failure and is raised again.
        """
        is_trial = self._admit()
        try:
            result = await operation(*args, **kwargs)
        except Exception as error:
            self._record_failure(opens_at_once=isinstance(error, self.open_at_once_on))
            raise
        finally:
            if is_trial:
                self._trial_running = False
        self._record_success()
        return result

    def _admit(self) -> bool:
        """Let the call through (returning whether it is the half-open trial) or raise."""
        state = self.state
        if state is CircuitState.CLOSED:
            return False
        if state is CircuitState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        raise CircuitOpenError(f"{self.name} is not called for a while: it keeps failing")

    def _record_failure(self, *, opens_at_once: bool) -> None:
        self._failures += 1
        if opens_at_once or self._opened_at is not None or self._failures >= self.failure_threshold:
            if self._opened_at is None:
                logger.warning("circuit_opened", dependency=self.name, failures=self._failures)
            self._opened_at = self._clock()  # (re)start the cool-down

    def _record_success(self) -> None:
        if self._opened_at is not None:
            logger.info("circuit_closed", dependency=self.name)
        self._failures = 0
        self._opened_at = None
