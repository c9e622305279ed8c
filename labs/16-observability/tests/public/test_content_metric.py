"""Lab 16, public tests: the counter on /metrics, the alert rule, and your rule tests."""

import subprocess
from collections.abc import Awaitable, Callable
from typing import Any

from labsupport.tools import findings

Changes = dict[frozenset[tuple[str, str]], float]


def labels(entity: str, action: str) -> frozenset[tuple[str, str]]:
    return frozenset({"entity": entity, "action": action}.items())


async def test_post_changes_are_counted_on_metrics(
    count_changes: Callable[[Awaitable[Any]], Awaitable[Changes]],
    write: Callable[..., Awaitable[Any]],
) -> None:
    """`count_change` must add 1 to `content_changes_total{entity="post", action=...}` for each
    committed change, with `action` the event's action ("created", "updated", "deleted")."""

    async def traffic() -> None:
        posts = [
            await write("POST", "/posts", {"title": f"Post {n}", "content": "Body."})
            for n in range(3)
        ]
        await write("PATCH", f"/posts/{posts[0]['id']}", {"published": True})
        await write("DELETE", f"/posts/{posts[1]['id']}")

    grown = await count_changes(traffic())
    expected = {
        labels("post", "created"): 3,
        labels("post", "updated"): 1,
        labels("post", "deleted"): 1,
    }
    assert grown == expected, (
        "after 3 posts created, 1 updated and 1 deleted, /metrics should show "
        f"content_changes_total grow by {expected}; it grew by {grown}"
    )


def test_promtool_accepts_the_rule_file(
    promtool: Callable[..., subprocess.CompletedProcess[str]], alert_rules: list[dict[str, Any]]
) -> None:
    """`promtool check rules lab_alerts.yml` must succeed, and the file must hold one alert
    named `ContentDeletionSpike`."""
    result = promtool("check", "rules", "lab_alerts.yml")
    assert result.returncode == 0, f"promtool check rules failed: {findings(result)}"
    assert len(alert_rules) == 1, (
        "lab_alerts.yml should define the alert ContentDeletionSpike once; "
        f"found {len(alert_rules)}"
    )


def test_your_rule_tests_pass_and_cover_both_ways(
    promtool: Callable[..., subprocess.CompletedProcess[str]], rule_tests: dict[str, Any]
) -> None:
    """`promtool test rules lab_alerts_test.yml` must pass, and it must test
    `ContentDeletionSpike` both firing (a non-empty `exp_alerts`) and quiet (an empty one)."""
    result = promtool("test", "rules", "lab_alerts_test.yml")
    assert result.returncode == 0, f"promtool test rules failed: {findings(result)}"
    expectations = [
        bool(case.get("exp_alerts"))
        for test in rule_tests.get("tests") or []
        for case in test.get("alert_rule_test") or []
        if case.get("alertname") == "ContentDeletionSpike"
    ]
    assert True in expectations, "no alert_rule_test expects ContentDeletionSpike to fire"
    assert False in expectations, "no alert_rule_test expects ContentDeletionSpike to stay quiet"
