"""``workbook.notebook.find_tool``: a lesson's missing tool skips its step locally, fails in CI.

The published book must never show a silent "skipped": under CI the error fails the cell, so
nbmake and the strict book build fail with it.

Run alone: ``uv run pytest book/tests/test_notebook_tools.py --no-cov``
"""

import stat
from pathlib import Path

import pytest

from workbook import notebook, tools

INSTALL = "bash .ci/install.sh"
# On PATH on a machine with the observability tools, never in .tools/bin (looked in first).
TOOL = "promtool"


@pytest.fixture
def empty_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A PATH with one empty folder: the tool is on no PATH and not in .tools/bin."""
    assert not (tools.LOCAL_TOOL_DIR / TOOL).exists()
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_a_missing_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch, empty_path: Path) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(notebook.MissingToolError, match=f"{TOOL} is required.*{INSTALL}"):
        notebook.find_tool(TOOL, INSTALL)


def test_a_missing_tool_skips_with_the_install_command_locally(
    monkeypatch: pytest.MonkeyPatch, empty_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert notebook.find_tool(TOOL, INSTALL) is None
    assert capsys.readouterr().out == (
        f"{TOOL} is not installed here; `{INSTALL}` installs it. Step skipped.\n"
    )


def test_an_empty_ci_variable_is_not_ci(monkeypatch: pytest.MonkeyPatch, empty_path: Path) -> None:
    monkeypatch.setenv("CI", "")
    assert notebook.find_tool(TOOL, INSTALL) is None


def test_a_tool_on_path_is_found_under_ci(
    monkeypatch: pytest.MonkeyPatch, empty_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    tool = empty_path / TOOL
    tool.write_text("#!/bin/sh\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    assert notebook.find_tool(TOOL, INSTALL) == str(tool)
    assert capsys.readouterr().out == ""
