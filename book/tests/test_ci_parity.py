"""`.ci/run` and GitHub's CI workflow install the same tools and run the same checks.

A suite that passes only where `.ci/run` installed the tools proves nothing about GitHub: there,
with ``CI=true``, every check whose tool the workflow forgot fails. So both call one install
script, `.ci/install.sh`, and every check `.ci/run` makes is a step of the workflow's test job.

Run alone: ``uv run pytest book/tests/test_ci_parity.py --no-cov``
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CI_RUN = REPO / ".ci" / "run"
INSTALL_SCRIPT = REPO / ".ci" / "install.sh"
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
INSTALL_COMMAND = "bash .ci/install.sh"
# Shell that only prints, sets options or moves around; not a check.
NOT_A_CHECK = re.compile(r"^(#|echo |set |cd |export |[a-z_]+=|bash \.ci/install\.sh$)")
INSTALLS = re.compile(r"apt-get|pip install|uv tool install|uv sync|install-[a-z-]+\.sh")
SUBSHELL_CD = re.compile(r"^\(cd (?P<folder>\S+) && (?P<command>.+)\)$")


def ci_run_commands() -> list[tuple[str, str]]:
    """`.ci/run`'s commands as (working directory, command); ``(cd X && C)`` becomes (X, C)."""
    commands = []
    for raw in CI_RUN.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#!") or NOT_A_CHECK.match(line):
            continue
        if match := SUBSHELL_CD.match(line):
            commands.append((match["folder"], match["command"]))
        else:
            commands.append((".", line))
    return commands


def workflow_commands() -> list[tuple[str, str]]:
    """The test job's ``run:`` lines as (working directory, command)."""
    workflow: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for step in workflow["jobs"]["test"]["steps"]:
        folder = step.get("working-directory", ".")
        for line in str(step.get("run", "")).splitlines():
            if line.strip():
                commands.append((folder, line.strip()))
    return commands


def test_both_install_with_the_one_install_script() -> None:
    assert INSTALL_COMMAND in CI_RUN.read_text(encoding="utf-8")
    assert (".", INSTALL_COMMAND) in workflow_commands()


def test_ci_run_installs_nothing_outside_the_install_script() -> None:
    """An install step in `.ci/run` alone is exactly the drift this file exists to stop."""
    stray = [command for _folder, command in ci_run_commands() if INSTALLS.search(command)]
    assert stray == [], f"move these into {INSTALL_SCRIPT.name}: {stray}"


def test_the_workflow_installs_nothing_else_either() -> None:
    stray = [command for _folder, command in workflow_commands() if INSTALLS.search(command)]
    assert stray == [], f"move these into {INSTALL_SCRIPT.name}: {stray}"


def test_every_check_of_ci_run_is_a_workflow_step() -> None:
    missing = sorted(set(ci_run_commands()) - set(workflow_commands()))
    assert missing == [], f"in .ci/run but not in ci.yml's test job: {missing}"


def test_the_install_script_installs_every_tool_the_checks_look_for() -> None:
    """Each tool the tests and lessons find is installed by a script the install script runs."""
    scripts = INSTALL_SCRIPT.read_text(encoding="utf-8")
    for called in re.findall(r"bash (\S+\.sh)", scripts):
        scripts += (REPO / called).read_text(encoding="utf-8")
    tools = [
        "chromium",
        "shellcheck",
        "wrk",
        "redis-server",
        "hadolint",
        "docker-compose",
        "helm",
        "checkov",
        "kubernetes-validate",
        "traefik",
        "terraform",
        "prometheus",
        "actionlint",
    ]
    assert [tool for tool in tools if tool not in scripts] == []


def test_the_install_script_puts_its_tools_on_githubs_path() -> None:
    script = INSTALL_SCRIPT.read_text(encoding="utf-8")
    assert 'uv tool dir --bin >>"${GITHUB_PATH}"' in script
    assert '.tools/bin" >>"${GITHUB_PATH}"' in script


@pytest.mark.parametrize("script", sorted((REPO / ".ci").glob("*.sh")), ids=lambda p: p.name)
def test_install_scripts_need_no_terminal_and_stop_on_errors(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    if "apt-get install" in text:
        assert "-y" in text
        assert "DEBIAN_FRONTEND=noninteractive" in text


def test_the_rehearsal_plans_the_workflow_as_github_runs_it() -> None:
    """The rehearsal script reads the same job: its plan lists the install and the tests."""
    result = subprocess.run(
        [sys.executable, str(REPO / ".ci" / "rehearse_workflow.py"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    plan = result.stdout
    assert f"run: {INSTALL_COMMAND}" in plan
    assert "run: uv run pytest" in plan
    assert "run: uv run jupyter-book build . -n -W --keep-going" in plan
