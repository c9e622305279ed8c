"""The ``reference-app`` command line."""

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
