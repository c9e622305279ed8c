"""The circuit breaker's states, on a clock the test moves by hand."""

import asyncio

import pytest

from reference_app.shared_redis.circuit_breaker import (
    CircuitBreaker,
    CircuitOpenError,
    CircuitState,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Dependency:
    """Fails with ``error`` while ``broken``; counts the calls that reached it."""

    def __init__(self, error: type[Exception] = ConnectionError) -> None:
        self.broken = False
        self.error = error
        self.calls = 0

    async def __call__(self, value: int = 1) -> int:
        self.calls += 1
        await asyncio.sleep(0)
        if self.broken:
            raise self.error("down")
        return value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(
        "dep", failure_threshold=3, cooldown_seconds=5, open_at_once_on=(TimeoutError,), clock=clock
    )


def state(breaker: CircuitBreaker) -> CircuitState:
    """The state now (a call, so the type checker does not assume it cannot change)."""
    return breaker.state


async def fail(breaker: CircuitBreaker, dependency: Dependency, times: int) -> None:
    for _ in range(times):
        with pytest.raises((dependency.error, CircuitOpenError)):
            await breaker.call(dependency)


async def test_failures_in_a_row_open_it_and_then_nothing_is_called(
    breaker: CircuitBreaker,
) -> None:
    dependency = Dependency()
    assert await breaker.call(dependency, 7) == 7
    dependency.broken = True
    await fail(breaker, dependency, 2)
    assert state(breaker) is CircuitState.CLOSED  # two failures: not yet
    await fail(breaker, dependency, 1)
    assert state(breaker) is CircuitState.OPEN
    calls = dependency.calls
    await fail(breaker, dependency, 10)
    assert dependency.calls == calls  # failed fast, without calling


async def test_one_timeout_opens_it_at_once(breaker: CircuitBreaker) -> None:
    """A timed-out call waited the whole timeout; the next one would wait too."""
    dependency = Dependency(error=TimeoutError)
    dependency.broken = True
    await fail(breaker, dependency, 1)
    assert state(breaker) is CircuitState.OPEN
    await fail(breaker, dependency, 5)
    assert dependency.calls == 1


async def test_a_success_resets_the_count(breaker: CircuitBreaker) -> None:
    dependency = Dependency()
    for _ in range(5):
        dependency.broken = True
        await fail(breaker, dependency, 2)
        dependency.broken = False
        await breaker.call(dependency)
    assert state(breaker) is CircuitState.CLOSED


async def test_after_the_cooldown_one_trial_goes_through(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    dependency = Dependency()
    dependency.broken = True
    await fail(breaker, dependency, 3)
    clock.now += 5
    assert state(breaker) is CircuitState.HALF_OPEN

    # Many requests at once: exactly one reaches the dependency, the others fail fast.
    calls = dependency.calls
    results = await asyncio.gather(
        *(breaker.call(dependency) for _ in range(20)), return_exceptions=True
    )
    assert dependency.calls == calls + 1
    assert sum(isinstance(result, CircuitOpenError) for result in results) == 19
    assert state(breaker) is CircuitState.OPEN  # the trial failed: another cool-down
    clock.now += 4.9
    assert state(breaker) is CircuitState.OPEN

    clock.now += 0.1
    dependency.broken = False
    assert await breaker.call(dependency, 3) == 3
    assert state(breaker) is CircuitState.CLOSED
