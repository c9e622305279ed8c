"""The ``workbook`` command: doctor's table, serve's delegation, and book's build call."""

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import reference_app.cli
from workbook import cli, doctor, execution_cache

runner = CliRunner()


def test_doctor_reports_every_item_with_a_remedy_for_what_is_missing() -> None:
    findings = doctor.run_checks()
    assert [f.name for f in findings][:2] == ["Python", "uv"]
    assert all(f.remedy for f in findings if not f.found)
    result = runner.invoke(cli.app, ["doctor"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for finding in findings:
        assert finding.name in result.output


def test_doctor_sees_a_listening_service_and_a_closed_port() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert doctor._listening("127.0.0.1", port)
    assert not doctor._listening("127.0.0.1", port)


def test_find_looks_items_up_by_name() -> None:
    assert doctor.find("python").found
    with pytest.raises(KeyError):
        doctor.find("no such thing")


def test_serve_delegates_to_the_reference_app(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(reference_app.cli, "serve", record)
    result = runner.invoke(cli.app, ["serve", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8124, "workers": 1, "reload": False}]


@pytest.fixture
def build_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """The commands `workbook book` runs, recorded instead of run; its cache in a temp dir."""
    commands: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(cli, "EXECUTION_CACHE", tmp_path / ".jupyter_cache")
    return commands


def test_book_runs_a_strict_build_and_reports(build_commands: list[list[str]]) -> None:
    result = runner.invoke(cli.app, ["book"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert build_commands[0][0].endswith("jupyter-book")
    assert build_commands[0][-3:] == ["-n", "-W", "--keep-going"]
    assert "index.html" in result.output


def test_book_reports_a_failed_build(
    build_commands: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 3)

    monkeypatch.setattr(subprocess, "run", failing_run)
    result = runner.invoke(cli.app, ["book"], env={"COLUMNS": "300"})
    assert result.exit_code == 3
    assert "index.html" not in result.output


def test_book_fresh_empties_the_cache_and_rebuilds_every_page(
    build_commands: list[list[str]],
) -> None:
    cached_page = cli.EXECUTION_CACHE / "executed" / "lesson"
    cached_page.parent.mkdir(parents=True)
    cached_page.write_text("an old output")

    result = runner.invoke(cli.app, ["book", "--fresh"], env={"COLUMNS": "300"})

    assert result.exit_code == 0, result.output
    assert not cached_page.exists()
    assert "--all" in build_commands[0]
    assert "--fresh asked" in result.output


def test_the_cache_is_kept_while_the_machine_stays_the_same(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert execution_cache.prepare(cache, fresh=False) is None  # first build: nothing to clear
    (cache / "executed").write_text("an output")

    assert execution_cache.prepare(cache, fresh=False) is None
    assert (cache / "executed").exists()


def test_a_tool_installed_since_the_last_build_empties_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setattr(execution_cache, "environment_fingerprint", lambda: {"helm": "missing"})
    execution_cache.prepare(cache, fresh=False)
    (cache / "executed").write_text("a page that says: helm not installed, step skipped")

    monkeypatch.setattr(execution_cache, "environment_fingerprint", lambda: {"helm": "found"})
    reason = execution_cache.prepare(cache, fresh=False)

    assert reason is not None
    assert "helm missing -> found" in reason
    assert not (cache / "executed").exists()
    stamp = json.loads((cache / execution_cache.STAMP_NAME).read_text())
    assert stamp == {"helm": "found"}


def test_a_cache_that_does_not_say_what_it_ran_with_is_emptied(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "executed").write_text("an output from before the stamp existed")
    assert execution_cache.prepare(cache, fresh=False) is not None
    assert not (cache / "executed").exists()


def test_the_fingerprint_names_every_doctor_item_and_pinned_version() -> None:
    fingerprint = execution_cache.environment_fingerprint()
    assert {f.name for f in doctor.run_checks()} <= fingerprint.keys()
    assert set(fingerprint.values()) - {"found", "missing"} == {
        value for key, value in fingerprint.items() if key.startswith("pinned ")
    }
