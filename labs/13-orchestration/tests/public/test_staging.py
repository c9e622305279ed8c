"""Lab 13, public tests: the overlay renders, scales the API, serves its host over TLS, and
the rendered objects are valid Kubernetes."""

import subprocess
from collections.abc import Callable
from typing import Any

from labsupport.tools import findings

Tool = Callable[..., subprocess.CompletedProcess[str]]
HOST = "staging.example.com"


def test_the_chart_lints_and_renders_with_your_overlay(render: Any, tool: Tool) -> None:
    """`helm lint --strict` and `helm template` must accept production's values followed by
    yours: the chart's schema (values.schema.json) refuses keys it does not define."""
    render.require()
    result = tool("helm", "lint", "--strict", str(render.chart), *render.arguments)
    assert result.returncode == 0, f"helm lint --strict: {findings(result)}"


def test_the_api_autoscales_from_2_to_4_pods_on_cpu(render: Any) -> None:
    """The API's HorizontalPodAutoscaler keeps 2 to 4 pods, adding one when their CPU use
    passes 60% of what they request (`autoscaling` in the chart's values)."""
    hpa = render.one("HorizontalPodAutoscaler", "api")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4), (
        f"the API scales from {hpa['minReplicas']} to {hpa['maxReplicas']} pods, not 2 to 4"
    )
    cpu = [
        m["resource"]["target"].get("averageUtilization")
        for m in hpa["metrics"]
        if m["type"] == "Resource" and m["resource"]["name"] == "cpu"
    ]
    assert cpu == [60], f"the CPU target is {cpu}, not [60] (percent of the request)"


def test_the_staging_host_is_served_over_tls(render: Any) -> None:
    """The Ingress routes `staging.example.com` (and only it), with its TLS certificate
    from the Secret `reference-app-staging-tls`."""
    [ingress] = render.all("Ingress")
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == [HOST], f"the Ingress serves {hosts}, not [{HOST}]"
    tls = ingress["spec"].get("tls") or []
    assert [(t.get("secretName"), t.get("hosts")) for t in tls] == [
        ("reference-app-staging-tls", [HOST])
    ], f"TLS of the Ingress: {tls}"


def test_the_objects_match_the_kubernetes_schema(render: Any, tool: Tool) -> None:
    """Every rendered object must match the Kubernetes API's schema (`kubernetes-validate
    --strict`): a misplaced or misspelt field fails here, not in the cluster."""
    render.require()
    result = tool("kubernetes-validate", "--strict", "--quiet", str(render.path))
    assert result.returncode == 0, f"kubernetes-validate: {findings(result)}"
