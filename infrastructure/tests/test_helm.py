"""Checks for the Helm chart in infrastructure/helm/reference-app.

The chart is linted, rendered for the dev and prod values, and the rendered
manifests are checked three ways:

* `kubernetes-validate --strict` against the Kubernetes OpenAPI schemas (the
  oldest supported version and the newest), so typos such as a misplaced
  field fail here instead of at `helm install`;
* checkov's Kubernetes policies (0 failures; skips need a reason);
* assertions on the objects themselves, for the properties this project
  promises (probes, hardening, secrets by reference, hooks, selectors...).

Locally a missing tool skips; with CI set it fails (see conftest.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from infra_tools import REPO_ROOT, require_tool

INSTALL_HINT = "run: bash infrastructure/tools/install-container-tools.sh"
CHART = REPO_ROOT / "infrastructure" / "helm" / "reference-app"
RELEASE = "reference-app"
NAMESPACE = "reference-app"
FAKE_DIGEST = "sha256:" + "0" * 64
SECRET_VARS = {"APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"}

# name -> extra `helm template` arguments
RENDERS: dict[str, list[str]] = {
    "dev": ["-f", str(CHART / "values-dev.yaml")],
    "prod": ["-f", str(CHART / "values-prod.yaml")],
    # What the release pipeline does: pin the exact images CI built.
    "prod-digest": [
        "-f", str(CHART / "values-prod.yaml"),
        "--set", f"image.digest={FAKE_DIGEST}", "--set", f"frontend.image.digest={FAKE_DIGEST}",
    ],
}  # fmt: skip
# Only these checkov checks may be skipped, and only with a reason.
ALLOWED_SKIPS = {
    "CKV_K8S_35",  # secrets as env vars: the app's config contract
    "CKV_K8S_43",  # image digest: set by the pipeline (see prod-digest)
    "CKV_K8S_15",  # pullPolicy Always: dev imports images into k3d/kind
    "CKV_K8S_8",  # beat has nothing to probe
    "CKV_K8S_9",
}


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    # Arguments are tool paths found by require_tool and fixed repository paths.
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def helm_template(*extra: str) -> subprocess.CompletedProcess[str]:
    helm = require_tool("helm", INSTALL_HINT)
    return run([helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *extra])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Render every values set once; files are shared by all checks below."""
    out = tmp_path_factory.mktemp("helm-rendered")
    paths = {}
    for name, args in RENDERS.items():
        result = helm_template(*args)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        paths[name] = out / f"{name}.yaml"
        paths[name].write_text(result.stdout)
    return paths


def load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def workload(docs: list[dict[str, Any]], component: str) -> dict[str, Any]:
    (match,) = [
        d for d in docs
        if d["kind"] in {"Deployment", "Job"}
        and d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]  # fmt: skip
    return match


def pod_specs(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        d["metadata"]["name"]: d["spec"]["template"]
        for d in docs
        if d["kind"] in {"Deployment", "Job"}
    }


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value = labels.get(expr["key"])
        if expr["operator"] == "In" and value not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and value in expr["values"]:
            return False
    return True


@pytest.fixture(scope="module", params=["dev", "prod"])
def docs(request: pytest.FixtureRequest, rendered: dict[str, Path]) -> list[dict[str, Any]]:
    return load(rendered[request.param])


@pytest.fixture(scope="module")
def prod(rendered: dict[str, Path]) -> list[dict[str, Any]]:
    return load(rendered["prod"])


@pytest.fixture(scope="module")
def checkov_report(rendered: dict[str, Path]) -> dict[str, Any]:
    """One checkov run over all renders (it takes several seconds to start)."""
    checkov = require_tool("checkov", INSTALL_HINT)
    directory = next(iter(rendered.values())).parent
    result = run(
        [checkov, "--directory", str(directory), "--framework", "kubernetes",
         "--output", "json", "--skip-download"]
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


# --------------------------------------------------------------------------
# Tools


@pytest.mark.parametrize("values", ["values.yaml", "values-dev.yaml", "values-prod.yaml"])
def test_helm_lint_strict(values: str) -> None:
    helm = require_tool("helm", INSTALL_HINT)
    result = run([helm, "lint", "--strict", str(CHART), "-f", str(CHART / values)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kube_version", ["1.30.0", None], ids=["oldest-supported", "newest"])
def test_rendered_manifests_match_the_kubernetes_schema(
    rendered: dict[str, Path], kube_version: str | None
) -> None:
    validator = require_tool("kubernetes-validate", INSTALL_HINT)
    version = ["--kubernetes-version", kube_version] if kube_version else []
    result = run([validator, "--strict", "--quiet", *version, *map(str, rendered.values())])
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_kubernetes_has_no_failures(checkov_report: dict[str, Any]) -> None:
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({Path(c['file_path']).name})"
        for c in checkov_report["results"].get("failed_checks", [])
    ]
    assert checkov_report["summary"]["failed"] == 0, "\n".join(failed)
    assert checkov_report["summary"]["parsing_errors"] == 0
    assert checkov_report["summary"]["passed"] > 100


def test_checkov_skips_are_few_and_justified(checkov_report: dict[str, Any]) -> None:
    skipped = checkov_report["results"].get("skipped_checks", [])
    for check in skipped:
        assert check["check_id"] in ALLOWED_SKIPS, f"unexpected skip {check['check_id']}"
        reason = check["check_result"].get("suppress_comment", "")
        assert len(reason) > 20, f"{check['check_id']} skipped without a real reason"
    by_file = {(c["check_id"], Path(c["file_path"]).name) for c in skipped}
    # With a digest, nothing excuses a mutable tag; prod always pulls.
    assert ("CKV_K8S_43", "prod-digest.yaml") not in by_file
    assert not any(cid == "CKV_K8S_15" and f.startswith("prod") for cid, f in by_file)


def test_existing_secret_is_required() -> None:
    result = helm_template("--set", "secrets.existingSecret=")
    assert result.returncode != 0


def test_schema_rejects_latest_tag_and_unknown_keys() -> None:
    assert helm_template("--set", "image.tag=latest").returncode != 0
    assert helm_template("--set", "api.replicas=3").returncode != 0
    assert helm_template("--set", "frontend.image.tag=latest").returncode != 0
    assert helm_template("--set", "frontend.replicas=3").returncode != 0


# --------------------------------------------------------------------------
# Rendered objects (dev and prod)


def test_renders_every_component(docs: list[dict[str, Any]]) -> None:
    kinds = {d["kind"] for d in docs}
    assert kinds >= {
        "Deployment", "Service", "Ingress", "PodDisruptionBudget", "ConfigMap",
        "NetworkPolicy", "Job", "ServiceAccount",
    }  # fmt: skip
    components = {
        d["metadata"]["labels"]["app.kubernetes.io/component"] for d in by_kind(docs, "Deployment")
    }
    assert components == {"api", "frontend", "worker", "beat"}
    assert all(d["metadata"]["namespace"] == NAMESPACE for d in docs if d["kind"] != "Namespace")


def test_chart_never_renders_a_secret(docs: list[dict[str, Any]]) -> None:
    assert not by_kind(docs, "Secret")
    (configmap,) = by_kind(docs, "ConfigMap")
    assert SECRET_VARS.isdisjoint(configmap["data"])


def test_secrets_are_referenced_from_the_existing_secret(docs: list[dict[str, Any]]) -> None:
    for name, template in pod_specs(docs).items():
        (container,) = template["spec"]["containers"]
        env = {e["name"]: e for e in container.get("env", [])}
        if name == "reference-app-frontend":  # holds no secret, reads no Secret at all
            assert not any("valueFrom" in e or e["name"] in SECRET_VARS for e in env.values())
            assert "envFrom" not in container
            continue
        for variable in SECRET_VARS:
            assert "value" not in env[variable], f"{name}: {variable} must not be inline"
            assert env[variable]["valueFrom"]["secretKeyRef"]["name"] == "reference-app-secrets"


def test_every_pod_is_hardened(docs: list[dict[str, Any]]) -> None:
    for name, template in pod_specs(docs).items():
        spec = template["spec"]
        assert spec["automountServiceAccountToken"] is False, name
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, name
        assert pod_sc["runAsUser"] >= 10000, name
        assert pod_sc["seccompProfile"]["type"] == "RuntimeDefault", name
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            (tmp,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]  # noqa: S108
            assert "emptyDir" in volumes[tmp["name"]], f"{name}: /tmp must be an emptyDir"
            assert container["resources"]["requests"], name
            assert container["resources"]["limits"], name


def dockerfile_user(dockerfile: Path) -> tuple[int, int]:
    """The numeric ``USER uid:gid`` the image's last stage runs as."""
    users = [
        line.split()[1] for line in dockerfile.read_text().splitlines() if line.startswith("USER ")
    ]
    uid, gid = users[-1].split(":")
    return int(uid), int(gid)


@pytest.mark.parametrize(
    ("component", "dockerfile"),
    [("api", "reference_app/Dockerfile"), ("frontend", "reference_app/frontend/Dockerfile")],
)
def test_pods_run_as_their_images_user(
    docs: list[dict[str, Any]], component: str, dockerfile: str
) -> None:
    """A pod run as another user than its image's would meet files it was never prepared for."""
    uid, gid = dockerfile_user(REPO_ROOT / dockerfile)
    spec = workload(docs, component)["spec"]["template"]["spec"]
    for context in (spec["securityContext"], spec["containers"][0]["securityContext"]):
        assert (context["runAsUser"], context["runAsGroup"]) == (uid, gid)


def test_api_probes_use_the_health_endpoints(docs: list[dict[str, Any]]) -> None:
    (container,) = workload(docs, "api")["spec"]["template"]["spec"]["containers"]
    assert container["startupProbe"]["httpGet"]["path"] == "/api/v1/health/startup"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert container["command"] == [
        "reference-app", "serve", "--host", "0.0.0.0", "--port", "8000",  # noqa: S104
    ]  # fmt: skip


def test_worker_and_beat_commands(docs: list[dict[str, Any]]) -> None:
    app = ["celery", "-A", "reference_app.jobs.celery_app"]
    worker = workload(docs, "worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["command"][:4] == [*app, "worker"]
    assert "inspect ping" in " ".join(worker["livenessProbe"]["exec"]["command"])
    beat = workload(docs, "beat")
    assert beat["spec"]["template"]["spec"]["containers"][0]["command"][:4] == [*app, "beat"]


def test_exactly_one_scheduler(docs: list[dict[str, Any]]) -> None:
    beat = workload(docs, "beat")["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"]["type"] == "Recreate"
    hpa_targets = {
        h["spec"]["scaleTargetRef"]["name"] for h in by_kind(docs, "HorizontalPodAutoscaler")
    }
    assert "reference-app-beat" not in hpa_targets


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook(docs: list[dict[str, Any]]) -> None:
    job = workload(docs, "migrate")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    (container,) = spec["containers"]
    assert container["command"] == ["reference-app", "migrate"]
    # The ConfigMap doesn't exist yet at pre-install: same values, inline.
    (configmap,) = by_kind(docs, "ConfigMap")
    inline = {e["name"]: e.get("value") for e in container["env"]}
    assert {k: inline[k] for k in configmap["data"]} == configmap["data"]
    assert "envFrom" not in container
    assert "serviceAccountName" not in spec


def test_pods_roll_when_config_changes(docs: list[dict[str, Any]]) -> None:
    for component in ("api", "worker", "beat"):
        annotations = workload(docs, component)["spec"]["template"]["metadata"]["annotations"]
        assert annotations["checksum/config"], component


def pod_labels(docs: list[dict[str, Any]], component: str) -> dict[str, str]:
    labels: dict[str, str] = workload(docs, component)["spec"]["template"]["metadata"]["labels"]
    return labels


def services_by_component(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each Service, by the one component whose pods it selects (checked)."""
    found = {}
    for service in by_kind(docs, "Service"):
        selector = {"matchLabels": service["spec"]["selector"]}
        components = ("api", "frontend", "worker", "beat")
        selected = [c for c in components if selector_matches(selector, pod_labels(docs, c))]
        assert len(selected) == 1, f"{service['metadata']['name']} selects {selected}"
        found[selected[0]] = service
    return found


def test_service_ingress_and_pdb_select_the_api(docs: list[dict[str, Any]]) -> None:
    services = services_by_component(docs)
    assert set(services) == {"api", "frontend"}

    (ingress,) = by_kind(docs, "Ingress")
    assert ingress["spec"]["ingressClassName"] == "traefik"
    for rule in ingress["spec"]["rules"]:
        *api_paths, frontend_path = rule["http"]["paths"]
        for path in api_paths:
            assert path["backend"]["service"]["name"] == services["api"]["metadata"]["name"]
            assert path["path"].startswith(("/api", "/docs", "/openapi.json")), path["path"]
        # Every other path: the frontend (the longest matching path wins, so it comes last).
        assert frontend_path["path"] == "/"
        assert frontend_path["pathType"] == "Prefix"
        frontend_service = frontend_path["backend"]["service"]
        assert frontend_service["name"] == services["frontend"]["metadata"]["name"]
        assert frontend_service["port"]["name"] in {
            p["name"] for p in services["frontend"]["spec"]["ports"]
        }

    pdbs = {p["metadata"]["name"]: p for p in by_kind(docs, "PodDisruptionBudget")}
    for component in ("api", "frontend"):
        selector = pdbs[f"reference-app-{component}"]["spec"]["selector"]
        assert selector_matches(selector, pod_labels(docs, component)), component


def test_frontend_calls_the_api_service_from_the_sites_origin(docs: list[dict[str, Any]]) -> None:
    (container,) = workload(docs, "frontend")["spec"]["template"]["spec"]["containers"]
    env = container_env(container)
    api = services_by_component(docs)["api"]
    assert env["API_URL"] == f"http://{api['metadata']['name']}:{api['spec']['ports'][0]['port']}"
    (ingress,) = by_kind(docs, "Ingress")
    scheme = "https" if ingress["spec"].get("tls") else "http"
    origins = [f"{scheme}://{rule['host']}" for rule in ingress["spec"]["rules"]]
    assert env["FRONTEND_ORIGINS"].split(",") == origins
    (configmap,) = by_kind(docs, "ConfigMap")
    # The app's emails link to the site; the refresh cookie lives as long as the token.
    assert configmap["data"]["APP_FRONTEND_URL"] == origins[0]
    days = configmap["data"].get("APP_REFRESH_TOKEN_EXPIRE_DAYS", "7")  # the app's default
    assert env["REFRESH_TOKEN_EXPIRE_DAYS"] == days
    # Kubernetes sets HOSTNAME to the pod's name; Next's server listens on it.
    assert env["HOSTNAME"] == "0.0.0.0"  # noqa: S104
    (port,) = container["ports"]
    assert env["PORT"] == str(port["containerPort"])
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/", "port": port["name"]}, probe
    # Next.js' cache folder is writable although the root filesystem is not.
    volumes = {
        v["name"]: v for v in workload(docs, "frontend")["spec"]["template"]["spec"]["volumes"]
    }
    (cache,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/app/.next/cache"]
    assert "emptyDir" in volumes[cache["name"]]


def test_only_the_ingress_reaches_the_frontend_and_it_reaches_only_the_api(
    rendered: dict[str, Path],
) -> None:
    for render in ("dev", "prod"):
        docs = load(rendered[render])
        values = yaml.safe_load((CHART / "values.yaml").read_text())["networkPolicy"]
        override = yaml.safe_load((CHART / f"values-{render}.yaml").read_text())
        ingress_peers = {**values, **override.get("networkPolicy", {})}["ingressFrom"]
        (policy,) = policies_selecting(docs, "frontend")
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        (rule,) = policy["spec"]["ingress"]
        assert rule["from"] == ingress_peers, "the ingress controller only"
        assert rule["ports"] == [{"protocol": "TCP", "port": 3000}]
        dns, to_api = policy["spec"]["egress"]
        assert {p["port"] for p in dns["ports"]} == {53}
        ((peer,),) = [to_api["to"]]
        assert selector_matches(peer["podSelector"], pod_labels(docs, "api"))
        assert not selector_matches(peer["podSelector"], pod_labels(docs, "worker"))
        assert to_api["ports"] == [{"protocol": "TCP", "port": 8000}], "no database, no cache"
        # ...and the API's policy lets the frontend's pods in, on its port.
        (api_policy,) = policies_selecting(docs, "api")
        (api_rule,) = api_policy["spec"]["ingress"]
        assert any(
            "namespaceSelector" not in peer
            and selector_matches(peer["podSelector"], pod_labels(docs, "frontend"))
            for peer in api_rule["from"]
        ), render


def test_prod_autoscales_the_frontend(prod: list[dict[str, Any]]) -> None:
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind(prod, "HorizontalPodAutoscaler")
    }
    assert hpas["reference-app-frontend"]["spec"]["minReplicas"] >= 2
    assert "replicas" not in workload(prod, "frontend")["spec"]


def test_frontend_can_be_left_out() -> None:
    result = helm_template("-f", str(CHART / "values-prod.yaml"), "--set", "frontend.enabled=false")
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    components = {d["metadata"]["labels"].get("app.kubernetes.io/component") for d in docs}
    assert "frontend" not in components
    (ingress,) = by_kind(docs, "Ingress")
    paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert paths == ["/api"]
    (configmap,) = by_kind(docs, "ConfigMap")
    assert "APP_FRONTEND_URL" not in configmap["data"]
    (api_policy,) = policies_selecting(docs, "api")
    assert all("namespaceSelector" in peer for peer in api_policy["spec"]["ingress"][0]["from"])


def test_network_policies_cover_every_pod(docs: list[dict[str, Any]]) -> None:
    policies = by_kind(docs, "NetworkPolicy")
    for name, template in pod_specs(docs).items():
        labels = template["metadata"]["labels"]
        matching = [p for p in policies if selector_matches(p["spec"]["podSelector"], labels)]
        assert matching, f"{name} is not selected by any NetworkPolicy"
        for policy in matching:
            assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    api_policy = next(p for p in policies if p["metadata"]["name"] == "reference-app-api")
    (rule,) = api_policy["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


def container_env(container: dict[str, Any]) -> dict[str, str | None]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def prometheus_peers(values_file: str) -> list[dict[str, Any]]:
    """networkPolicy.metricsFrom: the Prometheus pods allowed to scrape."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    override = yaml.safe_load((CHART / values_file).read_text())
    policy = {**values["networkPolicy"], **override.get("networkPolicy", {})}
    peers: list[dict[str, Any]] = policy["metricsFrom"]
    return peers


def policies_selecting(docs: list[dict[str, Any]], component: str) -> list[dict[str, Any]]:
    labels = workload(docs, component)["spec"]["template"]["metadata"]["labels"]
    return [
        p
        for p in by_kind(docs, "NetworkPolicy")
        if selector_matches(p["spec"]["podSelector"], labels)
    ]


def test_worker_serves_metrics_from_a_fresh_multiprocess_dir(docs: list[dict[str, Any]]) -> None:
    template = workload(docs, "worker")["spec"]["template"]
    (container,) = template["spec"]["containers"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9808, "protocol": "TCP"}]
    env = container_env(container)
    assert env["APP_WORKER_METRICS_PORT"] == "9808"
    # prefork: the children's counts reach the metrics server only through these files.
    multiproc_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    assert multiproc_dir
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == multiproc_dir]
    (volume,) = [v for v in template["spec"]["volumes"] if v["name"] == mount["name"]]
    # An emptyDir is empty at every pod start; stale files would be counted again.
    assert volume["emptyDir"]["medium"] == "Memory"
    assert volume["emptyDir"]["sizeLimit"]
    assert not mount.get("readOnly", False)
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9808"
    assert annotations["prometheus.io/path"] == "/metrics"


def test_only_the_worker_gets_a_multiprocess_dir(docs: list[dict[str, Any]]) -> None:
    # The API runs one uvicorn process per container: its metrics stay in memory.
    for component in ("api", "beat", "migrate"):
        (container,) = workload(docs, component)["spec"]["template"]["spec"]["containers"]
        assert "PROMETHEUS_MULTIPROC_DIR" not in container_env(container), component


@pytest.mark.parametrize("render", ["dev", "prod"])
def test_only_prometheus_reaches_the_worker_and_only_its_metrics_port(
    rendered: dict[str, Path], render: str
) -> None:
    docs = load(rendered[render])
    peers = prometheus_peers(f"values-{render}.yaml")
    (worker_policy,) = policies_selecting(docs, "worker")
    assert set(worker_policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    (rule,) = worker_policy["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9808}]
    assert rule["from"] == peers
    # The API admits the same Prometheus (plus the ingress controller) on its port.
    (api_policy,) = policies_selecting(docs, "api")
    (api_rule,) = api_policy["spec"]["ingress"]
    assert all(peer in api_rule["from"] for peer in peers)
    for component in ("beat", "migrate"):
        (policy,) = policies_selecting(docs, component)
        assert policy["spec"]["ingress"] == [], f"{component} serves nothing"


def test_worker_metrics_port_is_one_setting() -> None:
    result = helm_template("--set", "worker.metricsPort=9100")
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    template = workload(docs, "worker")["spec"]["template"]
    (container,) = template["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == 9100
    assert container_env(container)["APP_WORKER_METRICS_PORT"] == "9100"
    assert template["metadata"]["annotations"]["prometheus.io/port"] == "9100"
    ((rule,),) = [p["spec"]["ingress"] for p in policies_selecting(docs, "worker")]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9100}]
    assert helm_template("--set", "worker.metricsPort=80").returncode != 0


def test_production_never_renders_anonymous_metrics() -> None:
    """The app refuses to start in production without a metrics token: so does the chart."""
    prod = ["-f", str(CHART / "values-prod.yaml"), "--set", "secrets.keys.metricsBearerToken="]
    refused = helm_template(*prod)
    assert refused.returncode != 0
    assert "APP_METRICS_BEARER_TOKEN" in refused.stderr
    assert "APP_METRICS_ENABLED" in refused.stderr
    # Metrics switched off: no token needed, none passed.
    for value in ("false", "0"):
        result = helm_template(
            *prod, "--set-string", f"config.extraEnv.APP_METRICS_ENABLED={value}"
        )
        assert result.returncode == 0, result.stderr
        docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
        for name, template in pod_specs(docs).items():
            assert "APP_METRICS_BEARER_TOKEN" not in container_env(
                template["spec"]["containers"][0]
            ), name
    # Outside production the app serves /metrics without one, so the key may be left out.
    dev = helm_template(
        "-f", str(CHART / "values-dev.yaml"), "--set", "secrets.keys.metricsBearerToken="
    )
    assert dev.returncode == 0, dev.stderr


def test_the_pod_monitor_sends_the_apps_metrics_token() -> None:
    result = helm_template(
        "-f", str(CHART / "values-prod.yaml"),
        "--set", "metrics.podMonitor.enabled=true",
        "--set", "metrics.podMonitor.labels.release=kube-prometheus-stack",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    (monitor,) = by_kind(docs, "PodMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    spec = monitor["spec"]
    # job="api" and job="worker", the names the alerts select.
    assert spec["jobLabel"] == "app.kubernetes.io/component"
    endpoints = {e["port"]: e for e in spec["podMetricsEndpoints"]}
    assert set(endpoints) == {"http", "metrics"}
    for component, port in (("api", "http"), ("worker", "metrics")):
        template = workload(docs, component)["spec"]["template"]
        assert selector_matches(spec["selector"], template["metadata"]["labels"]), component
        assert port in {p["name"] for p in template["spec"]["containers"][0]["ports"]}
        assert template["metadata"]["labels"]["app.kubernetes.io/component"] == component
        assert endpoints[port]["path"] == "/metrics"
    # The same Secret key the API's APP_METRICS_BEARER_TOKEN comes from.
    (api,) = workload(docs, "api")["spec"]["template"]["spec"]["containers"]
    (token_env,) = [e for e in api["env"] if e["name"] == "APP_METRICS_BEARER_TOKEN"]
    assert endpoints["http"]["authorization"] == {
        "type": "Bearer", "credentials": token_env["valueFrom"]["secretKeyRef"],
    }  # fmt: skip
    assert "authorization" not in endpoints["metrics"], "the worker's server checks no token"
    # Off by default: the cluster may have no Prometheus Operator (no PodMonitor kind).
    default = [doc for doc in yaml.safe_load_all(helm_template().stdout) if doc]
    assert default
    assert not by_kind(default, "PodMonitor")


def test_scrape_annotations_follow_the_switch() -> None:
    result = helm_template("--set", "metrics.podAnnotations=false")
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    for component in ("api", "worker"):
        annotations = workload(docs, component)["spec"]["template"]["metadata"]["annotations"]
        assert not any(key.startswith("prometheus.io/") for key in annotations), component


# --------------------------------------------------------------------------
# Production sizing


def test_prod_resources_follow_the_prd(prod: list[dict[str, Any]]) -> None:
    api = workload(prod, "api")["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert api["limits"] == {"cpu": "4", "memory": "8Gi"}
    worker = workload(prod, "worker")["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert worker["limits"] == {"cpu": "2", "memory": "4Gi"}


def test_prod_autoscales_the_api(prod: list[dict[str, Any]]) -> None:
    (hpa,) = [
        h for h in by_kind(prod, "HorizontalPodAutoscaler")
        if h["metadata"]["labels"]["app.kubernetes.io/component"] == "api"
    ]  # fmt: skip
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "reference-app-api",
    }  # fmt: skip
    assert hpa["spec"]["minReplicas"] >= 2
    # The HPA owns the replica count: a fixed one would fight it on every upgrade.
    assert "replicas" not in workload(prod, "api")["spec"]


def test_prod_ingress_terminates_tls(prod: list[dict[str, Any]]) -> None:
    (ingress,) = by_kind(prod, "Ingress")
    assert ingress["spec"]["tls"]
    assert ingress["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.tls"] == "true"


def test_prod_config_is_production(prod: list[dict[str, Any]]) -> None:
    (configmap,) = by_kind(prod, "ConfigMap")
    data = configmap["data"]
    assert data["APP_ENVIRONMENT"] == "production"
    assert data["APP_AUTO_MIGRATE"] == "false"
    assert "*" not in json.loads(data["APP_CORS_ORIGINS"])
    assert json.loads(data["APP_TRUSTED_PROXIES"]), "behind Traefik the proxy must be trusted"
