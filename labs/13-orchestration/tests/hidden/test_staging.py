"""Lab 13, hidden tests: checkov, node drains, egress, and the size of staging."""

from collections.abc import Callable
from typing import Any

MAIL_RELAY = "192.0.2.25/32"


def test_checkov_finds_no_failure(checkov: Callable[[], dict[str, Any]]) -> None:
    """checkov's Kubernetes policies pass on every rendered object (limits, probes, users...)."""
    report = checkov()
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']}"
        for c in report["results"].get("failed_checks", [])
    ]
    assert failed == [], "checkov fails: " + " | ".join(failed)
    assert report["summary"]["parsing_errors"] == 0


def test_a_drain_leaves_an_api_pod_serving(render: Any) -> None:
    """The autoscaler owns the API's replica count (the Deployment has none), and its minimum
    exceeds what the PodDisruptionBudget lets a drain take at once."""
    deployment = render.one("Deployment", "api")
    assert "replicas" not in deployment["spec"], "the API Deployment fixes its replica count"
    budget = render.one("PodDisruptionBudget", "api")["spec"]
    minimum = render.one("HorizontalPodAutoscaler", "api")["spec"]["minReplicas"]
    assert budget.get("maxUnavailable") == 1, f"the API's disruption budget: {budget}"
    assert minimum >= 2, f"with {minimum} pod(s), a drain can stop the whole API"


def test_every_pod_may_reach_the_mail_relay_and_nothing_more(render: Any) -> None:
    """Each NetworkPolicy lets its pods reach the mail relay, 192.0.2.25 on TCP 587, and no
    rule opens egress to everywhere (no rule without `to`, no 0.0.0.0/0)."""
    for policy in render.all("NetworkPolicy"):
        name = policy["metadata"]["name"]
        rules = policy["spec"].get("egress") or []
        relay = [
            r
            for r in rules
            if {p.get("ipBlock", {}).get("cidr") for p in r.get("to", [])} == {MAIL_RELAY}
            and [(p.get("protocol"), p.get("port")) for p in r.get("ports", [])] == [("TCP", 587)]
        ]
        assert relay, f"{name}: no egress rule to {MAIL_RELAY} on TCP 587"
        assert all(r.get("to") for r in rules), f"{name}: an egress rule without `to` allows all"
        cidrs = {p.get("ipBlock", {}).get("cidr") for r in rules for p in r["to"]}
        assert "0.0.0.0/0" not in cidrs, f"{name}: egress to 0.0.0.0/0"


def test_staging_is_smaller_than_production(render: Any) -> None:
    """The API requests 250m CPU and 512Mi, limited to 1 CPU and 1Gi; one worker runs."""
    [api] = render.one("Deployment", "api")["spec"]["template"]["spec"]["containers"]
    expected = {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert api["resources"] == expected, f"the API's resources: {api['resources']}"
    workers = render.one("Deployment", "worker")["spec"].get("replicas")
    assert workers == 1, f"{workers} workers run in staging, not 1"
