"""Lab 16, hidden tests: the rest of the metric's rule, and the alert under our own cases."""

import subprocess
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from labsupport.tools import findings

from reference_app.changes import ChangeAction, ChangeEvent

Changes = dict[frozenset[tuple[str, str]], float]
AlertCases = Callable[..., subprocess.CompletedProcess[str]]
ALERT = "ContentDeletionSpike"


def labels(entity: str, action: str) -> frozenset[tuple[str, str]]:
    return frozenset({"entity": entity, "action": action}.items())


def deletions(values: str, instance: str = "api-1:8000", action: str = "deleted") -> dict[str, str]:
    """An input series of ``content_changes_total`` (deletions, by default) from ``instance``."""
    series = f'job="api", instance="{instance}", entity="post", action="{action}"'
    return {"series": f"content_changes_total{{{series}}}", "values": values}


def firing(eval_time: str, *, fires: bool) -> dict[str, Any]:
    """Expect the alert firing, for job ``api`` with severity warning, at ``eval_time`` or not.

    Asked of ``ALERTS``, the series Prometheus writes for every active alert, rather than with an
    ``alert_rule_test``, which would also compare the annotations word for word.
    """
    sample = f'ALERTS{{alertname="{ALERT}", alertstate="firing", job="api", severity="warning"}}'
    return {
        "expr": f'ALERTS{{alertname="{ALERT}", alertstate="firing"}}',
        "eval_time": eval_time,
        "exp_samples": [{"labels": sample, "value": 1}] if fires else [],
    }


def case(name: str, series: list[dict[str, str]], *checks: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "interval": "1m", "input_series": series, "promql_expr_test": checks}


def passed(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode == 0, f"{what}; promtool says: {findings(result)}"


async def test_todos_count_as_content(
    count_changes: Callable[[Awaitable[Any]], Awaitable[Changes]],
    write: Callable[..., Awaitable[Any]],
) -> None:
    """Todos are content too: their changes count with `entity="todo"`."""

    async def traffic() -> None:
        todo = await write("POST", "/todos", {"title": "Write the alert"})
        await write("PATCH", f"/todos/{todo['id']}", {"completed": True})
        await write("DELETE", f"/todos/{todo['id']}")

    grown = await count_changes(traffic())
    assert grown == {labels("todo", a): 1 for a in ("created", "updated", "deleted")}, grown


async def test_other_entities_are_not_counted(
    lab: Any, count_changes: Callable[[Awaitable[Any]], Awaitable[Changes]]
) -> None:
    """Only posts and todos are content: a change to a user or a job counts nowhere."""

    async def events() -> None:
        for entity in ("user", "job"):
            event = ChangeEvent(entity, ChangeAction.UPDATED, uuid.uuid4(), uuid.uuid4(), False)
            await lab.count_change(event)

    assert await count_changes(events()) == {}


async def test_many_posts_add_no_series(
    count_changes: Callable[[Awaitable[Any]], Awaitable[Changes]],
    write: Callable[..., Awaitable[Any]],
) -> None:
    """The labels are exactly `entity` and `action`: twenty posts are twenty more in one series."""

    async def traffic() -> None:
        for n in range(20):
            await write("POST", "/posts", {"title": f"Post {n}", "content": "Body."})

    assert await count_changes(traffic()) == {labels("post", "created"): 20}


def test_the_alert_fires_at_the_threshold(alert_cases: AlertCases) -> None:
    """100 deletions in 10 minutes, held for 5 minutes: firing."""
    at_threshold = case("at the threshold", [deletions("0+10x40")], firing("25m", fires=True))
    passed(alert_cases(at_threshold), "10 deletions a minute should fire")


def test_the_alert_is_quiet_below_the_threshold(alert_cases: AlertCases) -> None:
    """90 deletions in 10 minutes, for half an hour: quiet; as are 50 posts created a minute."""
    below = case("below", [deletions("0+9x40")], firing("35m", fires=False))
    created = case("created", [deletions("0+50x40", action="created")], firing("35m", fires=False))
    passed(alert_cases(below, created), "fewer than 100 deletions in 10 minutes fired")


def test_the_alert_waits_for_its_for_duration(alert_cases: AlertCases) -> None:
    """The threshold is first reached at minute 10: pending until 15, firing from then on."""
    waits = case(
        "for: 5m",
        [deletions("0+10x40")],
        firing("13m", fires=False),
        firing("16m", fires=True),
    )
    passed(alert_cases(waits), "the alert should fire 5 minutes after the threshold, not sooner")


def test_the_alert_adds_up_the_instances(alert_cases: AlertCases) -> None:
    """Two replicas deleting 5 a minute each are 100 deletions in 10 minutes for the job."""
    replicas = [deletions("0+5x40", "api-1:8000"), deletions("0+5x40", "api-2:8000")]
    passed(
        alert_cases(case("two replicas", replicas, firing("25m", fires=True))),
        "the deletions of all instances of a job should add up",
    )
