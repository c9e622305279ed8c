"""Checks for the container build and the Compose / Swarm stacks.

No Docker engine is needed: the Dockerfile is linted (hadolint, checkov) and
inspected, and the Compose files are validated and fully resolved by the
real Compose binary (`docker-compose config`), which then lets us assert on
the *effective* configuration rather than on raw YAML.

Tools come from infrastructure/tools/install-container-tools.sh (.tools/bin).
Locally a missing tool skips; with CI set it fails (see conftest.py).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from infra_tools import REPO_ROOT, require_tool

INSTALL_HINT = "run: bash infrastructure/tools/install-container-tools.sh"

# The build context is the app's folder, which teams copy alone (see its Dockerfile).
BUILD_CONTEXT = REPO_ROOT / "reference_app"
DOCKERFILE = BUILD_CONTEXT / "Dockerfile"
DOCKERIGNORE = BUILD_CONTEXT / ".dockerignore"
# The frontend builds from its own folder, with its own Dockerfile.
FRONTEND_CONTEXT = BUILD_CONTEXT / "frontend"
FRONTEND_DOCKERFILE = FRONTEND_CONTEXT / "Dockerfile"
DOCKERFILES = {"app": DOCKERFILE, "frontend": FRONTEND_DOCKERFILE}
COMPOSE_DIR = REPO_ROOT / "infrastructure" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
STACK_FILE = COMPOSE_DIR / "stack.yaml"
ENV_EXAMPLE = COMPOSE_DIR / ".env.example"
PROMETHEUS_CONFIG = REPO_ROOT / "infrastructure" / "observability" / "prometheus" / "prometheus.yml"

# The app's runtime contract (see the project brief / reference_app CLI).
# Binding all interfaces is right inside a container (S104 is about hosts).
SERVE_CMD = ["reference-app", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104
MIGRATE_CMD = ["reference-app", "migrate"]
CELERY_APP = "reference_app.jobs.celery_app"
LIVE_PATH = "/api/v1/health/live"
READY_PATH = "/api/v1/health/ready"
SECRET_VARS = {"APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"}
APP_SERVICES = ("api", "worker", "beat", "migrate")
NEXT_CACHE = "/app/.next/cache"  # Next.js' cache folder in the frontend image (WORKDIR /app)


# --------------------------------------------------------------------------
# Helpers


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    # Arguments are tool paths found by require_tool and fixed repository paths.
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **kwargs)


def parse_dockerfile(path: Path) -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, continuation lines joined.

    Like Docker itself, comment lines inside a continuation are dropped.
    """
    instructions: list[tuple[str, str]] = []
    buffer = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1].rstrip() + " "
            continue
        buffer += line
        keyword, _, rest = buffer.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        buffer = ""
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (kw, _) in enumerate(instructions) if kw == "FROM")
    return instructions[last_from:]


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per .dockerignore line, in file order."""
    patterns = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        pattern = pattern.strip("/")
        # Docker/Go semantics: ** spans directories, * and ? do not.
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        patterns.append((negate, re.compile(regex + r"\Z")))
    return patterns


def is_ignored(relpath: str) -> bool:
    """Would Docker leave this path out of the build context?

    A path is excluded if it, or any parent directory, matches; the last
    matching pattern wins (so a later !exception re-includes).
    """
    parts = relpath.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negate, regex in dockerignore_patterns():
        if any(regex.match(candidate) for candidate in candidates):
            ignored = not negate
    return ignored


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = require_tool("docker-compose", INSTALL_HINT)
    # A clean environment: variables exported in the developer's shell must
    # not mask a missing value in .env.example.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR"}}
    base.update(env or {})
    return run([binary, *args], cwd=COMPOSE_DIR, env=base)


@pytest.fixture(scope="module")
def dev_config() -> dict[str, Any]:
    result = compose(
        "--env-file", ".env.example", "-f", "compose.yaml", "config", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


STACK_ENV = {
    "APP_IMAGE": "ghcr.io/example/reference-app:1.0.0",
    "FRONTEND_IMAGE": "ghcr.io/example/reference-app-frontend:1.0.0",
    "APP_HOST": "api.example.com",
}


@pytest.fixture(scope="module")
def stack_config() -> dict[str, Any]:
    result = compose("-f", "stack.yaml", "config", "--format", "json", env=STACK_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module", params=sorted(DOCKERFILES))
def checkov_dockerfile(request: pytest.FixtureRequest) -> dict[str, Any]:
    """One checkov run per Dockerfile (it takes several seconds to start)."""
    checkov = require_tool("checkov", INSTALL_HINT)
    result = run(
        [checkov, "--file", str(DOCKERFILES[request.param]), "--framework", "dockerfile",
         "--output", "json", "--skip-download"]
    )  # fmt: skip
    # Exit code 1 means "failed checks", reported below with details.
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


# --------------------------------------------------------------------------
# Dockerfile


@pytest.mark.parametrize("dockerfile", sorted(DOCKERFILES))
def test_hadolint_clean_at_warning_threshold(dockerfile: str) -> None:
    hadolint = require_tool("hadolint", INSTALL_HINT)
    result = run([hadolint, "--failure-threshold", "warning", str(DOCKERFILES[dockerfile])])
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_dockerfile_has_no_failures(checkov_dockerfile: dict[str, Any]) -> None:
    summary = checkov_dockerfile["summary"]
    failed = [
        f"{c['check_id']} {c['check_name']} (line {c['file_line_range']})"
        for c in checkov_dockerfile["results"].get("failed_checks", [])
    ]
    assert summary["failed"] == 0, "\n".join(failed)
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 0, "checkov checked nothing: wrong framework or file?"


def test_checkov_dockerfile_skips_are_justified(checkov_dockerfile: dict[str, Any]) -> None:
    for check in checkov_dockerfile["results"].get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) > 10, f"{check['check_id']} skipped without a reason"


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    instructions = parse_dockerfile(DOCKERFILE)
    froms = [args for kw, args in instructions if kw == "FROM"]
    assert any(" AS builder" in f for f in froms), froms
    runtime_base = froms[-1].split()[0]
    assert runtime_base.startswith("python:3.11-slim"), runtime_base


def test_dependencies_are_installed_before_the_source_is_copied() -> None:
    """The cached dependency layer must not depend on application code."""
    instructions = parse_dockerfile(DOCKERFILE)
    runs = [
        (i, args) for i, (kw, args) in enumerate(instructions) if kw == "RUN" and "uv sync" in args
    ]
    assert len(runs) == 2, "expected a dependencies-only sync, then a project sync"
    (deps_index, deps), (project_index, project) = runs
    for args in (deps, project):
        assert "--frozen" in args, args
        assert "--no-dev" in args, args
        assert "--mount=type=cache" in args, "uv's download cache should be a cache mount"
    assert "--no-install-project" in deps
    copy_src = next(
        i for i, (kw, args) in enumerate(instructions) if kw == "COPY" and "src" in args.split()
    )
    assert deps_index < copy_src < project_index


def test_runtime_stage_is_non_root_with_exec_form_cmd_and_healthcheck() -> None:
    runtime = final_stage(parse_dockerfile(DOCKERFILE))
    user = [args for kw, args in runtime if kw == "USER"][-1]
    uid = user.split(":")[0]
    assert uid.isdigit(), f"USER must be numeric (Kubernetes runAsNonRoot), got {user}"
    assert int(uid) >= 10000, f"USER must be a high non-root UID, got {user}"

    cmd = [args for kw, args in runtime if kw == "CMD"][-1]
    assert json.loads(cmd) == SERVE_CMD, "CMD must be exec form and match the app contract"

    healthcheck = [args for kw, args in runtime if kw == "HEALTHCHECK"][-1]
    probe = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert probe[0] == "python", "slim has no curl: the health check must use Python"
    assert LIVE_PATH in probe[-1]
    assert ":8000" in probe[-1]

    assert "8000" in [args for kw, args in runtime if kw == "EXPOSE"]
    assert not any(kw == "RUN" and "uv" in args.split() for kw, args in runtime)


def test_frontend_runtime_is_non_root_with_exec_form_cmd_and_healthcheck() -> None:
    runtime = final_stage(parse_dockerfile(FRONTEND_DOCKERFILE))
    user = [args for kw, args in runtime if kw == "USER"][-1]
    uid, gid = user.split(":")
    assert uid.isdigit(), f"a numeric uid (Kubernetes runAsNonRoot): {user}"
    assert int(uid) >= 10000, f"a high uid, as the app's: {user}"
    assert gid.isdigit(), user
    assert json.loads([args for kw, args in runtime if kw == "CMD"][-1]) == ["node", "server.js"]
    assert [args for kw, args in runtime if kw == "HEALTHCHECK"], "no HEALTHCHECK"
    # Only the standalone server: no package manager, no dev dependencies, no build.
    assert not any(kw == "RUN" for kw, _ in runtime)


def test_dockerfile_bakes_in_no_secrets() -> None:
    for keyword, args in parse_dockerfile(DOCKERFILE):
        if keyword in {"ENV", "ARG"}:
            assert not re.search(r"(SECRET|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL)", args), args


def test_build_context_contains_what_the_dockerfile_needs() -> None:
    """Every COPY / bind-mount source exists in the app's folder and survives .dockerignore."""
    sources: set[str] = set()
    for keyword, args in parse_dockerfile(DOCKERFILE):
        sources.update(re.findall(r"--mount=type=bind,source=([^,\s]+)", args))
        if keyword == "COPY" and "--from=" not in args:
            words = [w for w in args.split() if not w.startswith("--")]
            sources.update(words[:-1])
    assert sources, "found no COPY sources: parser out of date?"
    for source in sorted(sources):
        assert (BUILD_CONTEXT / source).exists(), f"the Dockerfile copies {source}: missing"
        assert not is_ignored(source), f"{source} is excluded by .dockerignore"


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".git/config",
        ".github/workflows/ci.yml",
        ".venv/bin/python",
        ".mypy_cache/3.11/cache.db",
        "tests/test_api.py",
        "src/reference_app/__pycache__/cli.cpython-311.pyc",
        "src/.env",
        "src/reference_app/reference_app.db",
        "reference_app.db",
        "reference_app.db-wal",
        "reference_app.jobs/new/message.json",
        "sent_emails/welcome.eml",
        "site/index.html",
    ],
)
def test_dockerignore_keeps_local_files_out_of_the_context(path: str) -> None:
    assert is_ignored(path), f"{path} would be sent to the Docker daemon"


# --------------------------------------------------------------------------
# Development stack (compose.yaml)


def test_compose_file_is_valid() -> None:
    result = compose("--env-file", ".env.example", "-f", "compose.yaml", "config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_required_settings(tmp_path: Path) -> None:
    """No secret has a default: a missing .env is an error, not a weak password."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose("--env-file", str(empty), "-f", "compose.yaml", "config", "--quiet")
    assert result.returncode != 0
    for variable in (
        "APP_SECRET_KEY", "APP_METRICS_BEARER_TOKEN", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD",
    ):  # fmt: skip
        assert variable in result.stderr


def test_dev_stack_has_the_production_topology(dev_config: dict[str, Any]) -> None:
    services = dev_config["services"]
    assert set(services) >= {
        "api", "frontend", "worker", "beat", "migrate", "postgres", "redis", "traefik",
        "prometheus", "grafana",
    }  # fmt: skip
    assert services["api"]["deploy"]["replicas"] == 2
    # Replicas can't share a host port; Traefik is the only way in.
    for name in ("api", "frontend"):
        assert not services[name].get("ports"), name
        assert "container_name" not in services[name], name


def test_dev_stack_builds_from_the_app_folder(dev_config: dict[str, Any]) -> None:
    """The folder teams copy is the whole build context: no file from the workbook around it."""
    for name in APP_SERVICES:
        build = dev_config["services"][name]["build"]
        assert Path(build["context"]) == BUILD_CONTEXT, name
        assert build["dockerfile"] == "Dockerfile", name


def test_dev_stack_builds_the_frontend_from_its_folder(dev_config: dict[str, Any]) -> None:
    """The frontend's own folder and Dockerfile; its image named after its package."""
    frontend = dev_config["services"]["frontend"]
    assert Path(frontend["build"]["context"]) == FRONTEND_CONTEXT
    assert frontend["build"]["dockerfile"] == "Dockerfile"
    package = json.loads((FRONTEND_CONTEXT / "package.json").read_text())["name"]
    app_image = dev_config["services"]["api"]["image"]
    assert frontend["image"] == app_image.replace("reference-app", package, 1)


def test_dev_stack_commands_follow_the_app_contract(dev_config: dict[str, Any]) -> None:
    services = dev_config["services"]
    assert services["api"]["command"] == SERVE_CMD
    assert services["migrate"]["command"] == MIGRATE_CMD
    assert services["worker"]["command"][:4] == ["celery", "-A", CELERY_APP, "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", CELERY_APP, "beat"]


def test_every_long_running_service_has_a_healthcheck(dev_config: dict[str, Any]) -> None:
    # beat has nothing to probe and migrate exits: both disable the image's
    # HTTP check explicitly (documented in compose.yaml).
    no_probe = {"beat", "migrate"}
    for name, service in dev_config["services"].items():
        healthcheck = service.get("healthcheck", {})
        if name in no_probe:
            assert healthcheck.get("disable") is True, name
        else:
            assert healthcheck.get("test"), f"{name} has no healthcheck"


def test_startup_order_waits_for_healthy_dependencies(dev_config: dict[str, Any]) -> None:
    services = dev_config["services"]
    for name in ("api", "worker", "beat", "migrate"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    for name in ("api", "worker", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def assert_api_goes_before_the_frontend(api: dict[str, str], frontend: dict[str, str]) -> None:
    """The app's paths, tried first; the frontend's catch-all of the same host, tried last.

    test_traefik.py sends requests through these labels: this only reads them.
    """
    api_rule = api["traefik.http.routers.api.rule"]
    frontend_rule = frontend["traefik.http.routers.frontend.rule"]
    assert "PathPrefix(`/api`)" in api_rule
    assert "/metrics" not in api_rule, "the app's metrics stay internal"
    assert api_rule.startswith(frontend_rule + " && "), "one host for the site"
    api_priority = int(api["traefik.http.routers.api.priority"])
    assert 0 < int(frontend["traefik.http.routers.frontend.priority"]) < api_priority
    # Below the length of any real rule: a more specific router added later goes first.
    assert api_priority < len("Host(`a`)")
    assert api["traefik.http.routers.api.middlewares"] == "security-headers,rate-limit,retry"
    assert frontend["traefik.http.routers.frontend.middlewares"].startswith("security-headers")


def test_api_is_routed_by_traefik(dev_config: dict[str, Any]) -> None:
    labels = dev_config["services"]["api"]["labels"]
    assert labels["traefik.enable"] == "true"
    assert labels["traefik.http.services.api.loadbalancer.server.port"] == "8000"
    assert labels["traefik.http.services.api.loadbalancer.healthcheck.path"] == READY_PATH
    assert "Host(" in labels["traefik.http.routers.api.rule"]
    frontend = dev_config["services"]["frontend"]["labels"]
    assert frontend["traefik.enable"] == "true"
    assert_api_goes_before_the_frontend(labels, frontend)
    traefik = " ".join(dev_config["services"]["traefik"]["command"])
    assert "--providers.docker=true" in traefik
    assert "--providers.docker.exposedbydefault=false" in traefik


def test_app_containers_are_hardened(dev_config: dict[str, Any]) -> None:
    for name in (*APP_SERVICES, "frontend"):
        service = dev_config["services"][name]
        assert service.get("read_only") is True, name
        assert service.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        assert "/tmp" in service["tmpfs"], name  # noqa: S108
    # Next.js may write its cache: writable although the root filesystem is not.
    assert NEXT_CACHE in dev_config["services"]["frontend"]["tmpfs"]


def frontend_port() -> str:
    """The port the frontend image serves on (its EXPOSE)."""
    runtime = final_stage(parse_dockerfile(FRONTEND_DOCKERFILE))
    (port,) = [args for kw, args in runtime if kw == "EXPOSE"]
    return port


def api_port(api: dict[str, Any]) -> str:
    """The port the API service's command listens on."""
    port: str = api["command"][api["command"].index("--port") + 1]
    return port


def assert_frontend_is_wired_to_the_api(
    services: dict[str, Any], labels: dict[str, str], public_origin: str
) -> None:
    """Shared by both stacks: server-side calls to the API by name; one origin, one cookie age."""
    frontend, api = services["frontend"], services["api"]
    env, app_env = frontend["environment"], api["environment"]
    # Inside the network, by the API service's name, on the port its command listens on.
    assert env["API_URL"] == f"http://api:{api_port(api)}"
    assert set(frontend["networks"]) & set(api["networks"]), "the frontend cannot reach the API"
    # The session handlers accept the site's origin, the one the app's emails link to.
    assert env["FRONTEND_ORIGINS"] == app_env["APP_FRONTEND_URL"] == public_origin
    assert env["REFRESH_TOKEN_EXPIRE_DAYS"] == app_env["APP_REFRESH_TOKEN_EXPIRE_DAYS"]
    assert env["HOSTNAME"] == "0.0.0.0"  # noqa: S104 - all interfaces, inside the container
    # Traefik, the health check and the image agree on the port.
    port = frontend_port()
    assert labels["traefik.http.services.frontend.loadbalancer.server.port"] == port
    probe = frontend["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "node", "-e"], "slim has no curl: the health check uses Node"
    assert f"fetch('http://127.0.0.1:{port}/')" in probe[3]
    assert labels["traefik.http.services.frontend.loadbalancer.healthcheck.path"] == "/"


def test_dev_frontend_is_wired_to_the_api(dev_config: dict[str, Any]) -> None:
    services = dev_config["services"]
    port = services["traefik"]["ports"][0]["published"]
    origin = f"http://localhost:{port}"
    assert_frontend_is_wired_to_the_api(services, services["frontend"]["labels"], origin)
    frontend = services["frontend"]
    assert frontend["depends_on"]["api"]["condition"] == "service_healthy"
    limits = frontend["deploy"]["resources"]["limits"]
    assert limits["cpus"], "limited like the app's containers"
    assert limits["memory"], "limited like the app's containers"
    assert json.loads(services["api"]["environment"]["APP_CORS_ORIGINS"]) == [origin]


def worker_scrape_port() -> int:
    """The port prometheus.yml's `worker` job scrapes."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "worker"]
    port: int = job["dns_sd_configs"][0]["port"]
    return port


def assert_worker_metrics_are_scrapeable(worker: dict[str, Any]) -> None:
    """Port where Prometheus looks, and prefork children counted through a fresh tmpfs."""
    env = worker["environment"]
    assert env["APP_WORKER_METRICS_PORT"] == str(worker_scrape_port())
    assert "monitoring" in worker["networks"], "Prometheus must reach the worker"
    multiproc_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    # A tmpfs *mount* (not the `tmpfs:` key, which `docker stack deploy` ignores):
    # empty at every container start, writable on the read-only root filesystem.
    assert any(
        m["type"] == "tmpfs" and m["target"] == multiproc_dir for m in worker.get("volumes", [])
    ), f"{multiproc_dir} must be a tmpfs mount"


def test_dev_worker_metrics_are_scrapeable(dev_config: dict[str, Any]) -> None:
    assert_worker_metrics_are_scrapeable(dev_config["services"]["worker"])
    # One uvicorn process per API container: its metrics stay in memory.
    assert "PROMETHEUS_MULTIPROC_DIR" not in dev_config["services"]["api"]["environment"]


def metrics_token_file() -> str:
    """The file prometheus.yml's `api` job reads its bearer token from."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "api"]
    assert job["authorization"]["type"] == "Bearer"
    path: str = job["authorization"]["credentials_file"]
    return path


def test_dev_prometheus_sends_the_apps_metrics_token(dev_config: dict[str, Any]) -> None:
    """One value: the app's APP_METRICS_BEARER_TOKEN is the file Prometheus reads."""
    services = dev_config["services"]
    token_file = Path(metrics_token_file())
    assert token_file.parent == Path("/run/secrets"), "Compose mounts secrets in /run/secrets"
    (secret,) = [s for s in services["prometheus"]["secrets"] if s["target"] == token_file.name]
    assert dev_config["secrets"][secret["source"]] == {
        "name": f"reference-app_{secret['source']}", "environment": "APP_METRICS_BEARER_TOKEN",
    }  # fmt: skip
    for name in ("api", "worker", "beat", "migrate"):
        token = services[name]["environment"]["APP_METRICS_BEARER_TOKEN"]
        assert len(token) >= 16, f"{name}: production refuses a shorter metrics token"


def test_trusted_proxies_are_exactly_traefik_and_the_frontend(dev_config: dict[str, Any]) -> None:
    """Traefik writes X-Forwarded-For; the frontend's session handlers pass it on to the API."""
    services = dev_config["services"]
    fixed = [services[name]["networks"]["edge"]["ipv4_address"] for name in ("traefik", "frontend")]
    for name in APP_SERVICES:
        trusted = json.loads(services[name]["environment"]["APP_TRUSTED_PROXIES"])
        assert trusted == fixed, name
    # Fixed addresses outside the range Docker hands out, so no other container gets them.
    (ipam,) = dev_config["networks"]["edge"]["ipam"]["config"]
    dynamic_range = ipaddress.ip_network(ipam["ip_range"])
    for address in fixed:
        assert ipaddress.ip_address(address) in ipaddress.ip_network(ipam["subnet"])
        assert ipaddress.ip_address(address) not in dynamic_range


def test_stateful_services_use_named_volumes(dev_config: dict[str, Any]) -> None:
    named = set(dev_config["volumes"])
    expected = {"postgres": "/var/lib/postgresql/data", "redis": "/data",
                "prometheus": "/prometheus", "grafana": "/var/lib/grafana"}  # fmt: skip
    for service, target in expected.items():
        mounts = dev_config["services"][service]["volumes"]
        assert any(m["type"] == "volume" and m["source"] in named and m["target"] == target
                   for m in mounts), service  # fmt: skip


def test_published_ports_are_loopback_only(dev_config: dict[str, Any]) -> None:
    for name, service in dev_config["services"].items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port} to the LAN"


def test_env_example_documents_every_variable() -> None:
    code = "\n".join(
        line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", code))
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.M))
    assert used - documented == set(), "used in compose.yaml but missing from .env.example"
    assert documented - used == set(), "documented in .env.example but unused"


def test_env_example_holds_placeholders_not_secrets() -> None:
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.M))
    for name, value in values.items():
        if re.search(r"SECRET|PASSWORD", name):
            assert "CHANGE-ME" in value, f"{name} should be an obvious placeholder"
    assert len(values["APP_SECRET_KEY"]) >= 32, "the app rejects keys shorter than 32 chars"
    assert "CHANGE-ME" in values["APP_METRICS_BEARER_TOKEN"]
    assert len(values["APP_METRICS_BEARER_TOKEN"]) >= 16, "production rejects shorter tokens"


def test_real_env_file_is_git_ignored() -> None:
    git = shutil.which("git")
    if git is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = run([git, "check-ignore", "-q", "infrastructure/compose/.env"], cwd=REPO_ROOT)
    assert result.returncode == 0, "infrastructure/compose/.env must be git-ignored"


# --------------------------------------------------------------------------
# Swarm stack (stack.yaml)


def test_stack_file_is_valid() -> None:
    result = compose("-f", "stack.yaml", "config", "--quiet", env=STACK_ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variable", ["APP_IMAGE", "FRONTEND_IMAGE"])
def test_stack_requires_an_explicit_image(variable: str) -> None:
    env = {name: value for name, value in STACK_ENV.items() if name != variable}
    result = compose("-f", "stack.yaml", "config", "--quiet", env=env)
    assert result.returncode != 0
    assert f"required variable {variable} is missing" in result.stderr


def test_stack_rolls_out_start_first_and_rolls_back(stack_config: dict[str, Any]) -> None:
    for name in ("api", "frontend", "worker"):
        deploy = stack_config["services"][name]["deploy"]
        assert deploy["replicas"] >= 2, name
        assert deploy["update_config"]["order"] == "start-first", name
        assert deploy["update_config"]["failure_action"] == "rollback", name
        assert deploy["rollback_config"], name


def test_stack_never_runs_two_schedulers(stack_config: dict[str, Any]) -> None:
    deploy = stack_config["services"]["beat"]["deploy"]
    assert deploy["replicas"] == 1
    assert deploy["update_config"]["order"] == "stop-first"


def test_stack_runs_migrations_as_a_job(stack_config: dict[str, Any]) -> None:
    migrate = stack_config["services"]["migrate"]
    assert migrate["command"] == MIGRATE_CMD
    assert migrate["deploy"]["mode"] == "replicated-job"


def test_stack_uses_external_docker_secrets(stack_config: dict[str, Any]) -> None:
    assert stack_config["secrets"], "no secrets declared"
    for name, secret in stack_config["secrets"].items():
        assert secret.get("external") is True, f"{name} must be created out of band"
    # The frontend holds none: no secret file, no shim, nothing secret in its environment.
    frontend = stack_config["services"]["frontend"]
    assert not frontend.get("secrets")
    assert not frontend.get("entrypoint")
    assert SECRET_VARS.isdisjoint(frontend["environment"])
    for name in APP_SERVICES:
        service = stack_config["services"][name]
        assert SECRET_VARS.isdisjoint(service.get("environment", {})), name
        targets = {s["target"] for s in service["secrets"]}
        assert targets == {v.lower() for v in SECRET_VARS}, name
        # The entrypoint shim exports each secret file as its APP_* variable.
        script = service["entrypoint"][2]
        for variable in SECRET_VARS:
            assert f"{variable}=" in script
            assert f"/run/secrets/{variable.lower()}" in script


def test_stack_networks_are_overlays(stack_config: dict[str, Any]) -> None:
    networks = stack_config["networks"]
    assert all(n["driver"] == "overlay" for n in networks.values())
    backend = networks["backend"]
    assert backend.get("internal") is True
    assert backend.get("driver_opts", {}).get("encrypted") == "true"


def test_stack_worker_metrics_are_scrapeable(stack_config: dict[str, Any]) -> None:
    services = stack_config["services"]
    assert_worker_metrics_are_scrapeable(services["worker"])
    assert "monitoring" in services["api"]["networks"]
    monitoring = stack_config["networks"]["monitoring"]
    assert monitoring.get("attachable") is True, "an outside Prometheus must be able to join"


def test_stack_app_services_get_tmp_as_a_mount(stack_config: dict[str, Any]) -> None:
    # Swarm tasks have mounts only: the `tmpfs:` key is silently dropped by
    # `docker stack deploy`, which would leave /tmp read-only.
    for name in (*APP_SERVICES, "frontend"):
        service = stack_config["services"][name]
        assert service.get("read_only") is True, name
        assert service.get("cap_drop") == ["ALL"], name
        assert "tmpfs" not in service, f"{name}: use a tmpfs mount under volumes:"
        mounts = service.get("volumes", [])
        assert any(m["type"] == "tmpfs" and m["target"] == "/tmp" for m in mounts), name  # noqa: S108
    frontend_mounts = stack_config["services"]["frontend"]["volumes"]
    assert any(m["type"] == "tmpfs" and m["target"] == NEXT_CACHE for m in frontend_mounts)


def test_stack_places_every_service(stack_config: dict[str, Any]) -> None:
    for name, service in stack_config["services"].items():
        constraints = service["deploy"].get("placement", {}).get("constraints", [])
        assert constraints, f"{name} has no placement constraint"
    for name in ("postgres", "redis"):
        constraints = stack_config["services"][name]["deploy"]["placement"]["constraints"]
        assert any("node.labels" in c for c in constraints), f"{name} must be pinned to its data"


def test_stack_api_is_routed_by_traefik_swarm_provider(stack_config: dict[str, Any]) -> None:
    labels = stack_config["services"]["api"]["deploy"]["labels"]
    assert labels["traefik.enable"] == "true"
    assert labels["traefik.http.services.api.loadbalancer.server.port"] == "8000"
    assert "Host(`api.example.com`)" in labels["traefik.http.routers.api.rule"]
    assert "--providers.swarm=true" in stack_config["services"]["traefik"]["command"]
    frontend = stack_config["services"]["frontend"]["deploy"]["labels"]
    assert_api_goes_before_the_frontend(labels, frontend)
    assert labels["traefik.http.routers.api.tls"] == "true"
    assert frontend["traefik.http.routers.frontend.tls"] == "true"


def test_stack_frontend_is_wired_to_the_api(stack_config: dict[str, Any]) -> None:
    services = stack_config["services"]
    labels = services["frontend"]["deploy"]["labels"]
    origin = f"https://{STACK_ENV['APP_HOST']}"
    assert_frontend_is_wired_to_the_api(services, labels, origin)
    assert services["frontend"]["image"] == STACK_ENV["FRONTEND_IMAGE"]
    # Its address is on the edge overlay, whose whole subnet the app trusts.
    (ipam,) = stack_config["networks"]["edge"]["ipam"]["config"]
    trusted = json.loads(services["api"]["environment"]["APP_TRUSTED_PROXIES"])
    assert trusted == [ipam["subnet"]]
    assert services["frontend"]["networks"] == {"edge": None}
    limits = services["frontend"]["deploy"]["resources"]["limits"]
    assert limits["cpus"]
    assert limits["memory"]
