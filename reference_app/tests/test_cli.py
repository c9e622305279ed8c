"""The ``reference-app`` command line."""

import asyncio
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from reference_app import cli

runner = CliRunner()


@pytest.fixture
def sqlite_env(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    database = tmp_path / "cli.db"
    clean_environment.setenv("APP_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    clean_environment.chdir(tmp_path)  # keep any .env file of the caller out of the test
    return database


def test_migrate_then_create_superuser(sqlite_env: Path) -> None:
    migrated = runner.invoke(cli.app, ["migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert sqlite_env.exists()

    created = runner.invoke(
        cli.app,
        ["create-superuser", "--email", "Root@Example.com"],
        env={"APP_SUPERUSER_PASSWORD": "a long admin password"},
    )
    assert created.exit_code == 0, created.output
    assert "root@example.com" in created.output

    again = runner.invoke(
        cli.app,
        ["create-superuser", "--email", "root@example.com"],
        env={"APP_SUPERUSER_PASSWORD": "a long admin password"},
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_create_superuser_rejects_invalid_input(sqlite_env: Path) -> None:
    result = runner.invoke(
        cli.app,
        ["create-superuser", "--email", "not-an-email"],
        env={"APP_SUPERUSER_PASSWORD": "x"},
    )
    assert result.exit_code == 2
    assert "Invalid input" in result.output


def test_serve_runs_uvicorn_with_the_factory(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def record(app: str, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", record)
    result = runner.invoke(cli.app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "app": "reference_app.main:create_app",
            "factory": True,
            "host": "127.0.0.1",
            "port": 8123,
            "workers": 1,
            "reload": False,
            "loop": "asyncio",
            "access_log": False,
            "proxy_headers": False,
            "log_config": None,
        }
    ]


def test_serve_with_workers_migrates_once_before_they_start(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that each migrated at start-up raced on an empty database (two created the same
    table, and uvicorn stopped the server): the command migrates, then switches it off."""
    monkeypatch.setenv("APP_ENVIRONMENT", "development")  # where auto-migrate is on by default
    seen: list[tuple[bool, str | None]] = []

    def record(app: str, **kwargs: Any) -> None:
        seen.append((sqlite_env.exists(), os.environ.get("APP_AUTO_MIGRATE")))

    monkeypatch.setattr(uvicorn, "run", record)
    monkeypatch.delenv("APP_AUTO_MIGRATE", raising=False)  # serve sets it: undone afterwards
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(sqlite_env.parent))  # not a new temp dir
    result = runner.invoke(cli.app, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen == [(True, "false")]
    with sqlite3.connect(sqlite_env) as database:
        tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "users", "posts"} <= tables


async def test_connections_keep_tcp_nodelay_when_uvicorn_binds_the_socket() -> None:
    """``serve --workers N`` makes uvicorn bind the listening socket and hand it to the workers.
    Before uvicorn 0.55 that socket had no protocol set, so asyncio skipped TCP_NODELAY on every
    connection it accepted, and each keep-alive response waited for the client's delayed ACK
    (uvicorn#3149; ``bench/run_bench.py --workers 2`` showed ~44 ms per request)."""
    config = uvicorn.Config("reference_app.main:create_app", host="127.0.0.1", port=0, workers=2)
    listener = config.bind_socket()
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            connection = transport.get_extra_info("socket")
            accepted.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        assert await asyncio.wait_for(accepted, timeout=5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_serve_can_run_uvloop_instead(sqlite_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loops: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: loops.append(kwargs["loop"]))
    assert runner.invoke(cli.app, ["serve", "--loop", "uvloop"]).exit_code == 0
    assert runner.invoke(cli.app, ["serve", "--loop", "trio"]).exit_code == 2
    assert loops == ["uvloop"]


def test_serve_refuses_insecure_production(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENVIRONMENT", "production")
    result = runner.invoke(cli.app, ["serve"])
    assert result.exit_code != 0
    assert "APP_SECRET_KEY" in str(result.exception)
