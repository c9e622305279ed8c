"""The ``workbook`` command: doctor's table, serve's delegation, and book's build call."""

import socket
import subprocess
from typing import Any

import pytest
from typer.testing import CliRunner

import reference_app.cli
from workbook import cli, doctor

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


@pytest.mark.parametrize(("returncode", "exit_code"), [(0, 0), (3, 3)])
def test_book_runs_a_strict_build_and_reports(
    monkeypatch: pytest.MonkeyPatch, returncode: int, exit_code: int
) -> None:
    commands: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        return subprocess.CompletedProcess(command, returncode)

    monkeypatch.setattr(subprocess, "run", fake_run)
    result = runner.invoke(cli.app, ["book"], env={"COLUMNS": "300"})
    assert result.exit_code == exit_code
    assert commands[0][0].endswith("jupyter-book")
    assert commands[0][-3:] == ["-n", "-W", "--keep-going"]
    assert ("index.html" in result.output) == (returncode == 0)
