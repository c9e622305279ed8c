"""The GitHub workflows are valid, and the book's execution cache can never go stale.

actionlint checks what GitHub would only report after a push: unknown keys, wrong expression
types, outdated actions, and (with shellcheck installed) mistakes in ``run:`` scripts.
check-jsonschema checks the workflows and the Dependabot configuration against the schemas
SchemaStore publishes for them (a second opinion, from the schema GitHub's editors use). act
reads the job graph the way GitHub's scheduler does, without Docker. In CI (``CI`` set) a
missing actionlint or act fails its test, so the check cannot silently stop running; on a laptop
the test is skipped with the command to install it.

The delivery design itself (triggers, environments, rollback, pinning) is checked in
test_delivery_pipeline.py.

Run alone: ``uv run pytest book/tests/test_workflows.py --no-cov``
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
INSTALL_HINT = "bash .ci/install.sh, then put `uv tool dir --bin` on PATH"
ACTIONLINT_TIMEOUT_SECONDS = 60
TOOL_TIMEOUT_SECONDS = 120


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def _load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _find_tool(name: str, variable: str) -> str:
    """``$variable`` if set (a path or a command name), else ``name`` on PATH.

    Missing: a failure in CI, a skip elsewhere.
    """
    found = shutil.which(os.environ.get(variable, name))
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI; install it: {INSTALL_HINT}")
        pytest.skip(f"{name} not installed: {INSTALL_HINT}")
    return found


def test_actionlint_finds_nothing() -> None:
    actionlint = _find_tool("actionlint", "ACTIONLINT")
    files = [str(path) for path in _workflow_files()]
    assert files, f"no workflows in {WORKFLOWS}"
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", *files],
        capture_output=True,
        text=True,
        timeout=ACTIONLINT_TIMEOUT_SECONDS,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def _check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
        cwd=REPO,
    )


def test_every_workflow_matches_the_github_workflow_schema() -> None:
    result = _check_jsonschema("vendor.github-workflows", _workflow_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dependabot_configuration_matches_its_schema() -> None:
    result = _check_jsonschema("vendor.dependabot", [REPO / ".github" / "dependabot.yml"])
    assert result.returncode == 0, result.stdout + result.stderr


def act_job_graph(act: str) -> dict[tuple[str, str], int]:
    """``act --list`` as {(workflow file, job id): stage}; a job's stage is one more than the
    latest stage among the jobs it needs, which is the order GitHub starts them in."""
    result = subprocess.run(
        [act, "--list", "--workflows", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=True,
        cwd=REPO,
    )
    header, *rows = [line for line in result.stdout.splitlines() if line.strip()]
    assert header.split()[:3] == ["Stage", "Job", "ID"], result.stdout
    graph = {}
    for row in rows:
        stage, job_id, *_name, file, _events = row.split()
        graph[(file, job_id)] = int(stage)
    return graph


def test_act_lists_every_job_in_the_order_their_needs_say() -> None:
    """act reads the same files GitHub does: every job we declare, staged by `needs`."""
    # Not $ACT: act sets ACT=true inside the jobs it runs.
    graph = act_job_graph(_find_tool("act", "ACT_BIN"))
    declared = {(p.name, job) for p in _workflow_files() for job in _load(p)["jobs"]}
    assert set(graph) == declared
    for path in _workflow_files():
        for job_id, job in _load(path)["jobs"].items():
            needs = job.get("needs", [])
            for need in [needs] if isinstance(needs, str) else needs:
                assert graph[(path.name, job_id)] > graph[(path.name, need)], (job_id, need)


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda path: path.name)
def test_every_workflow_declares_its_permissions(path: Path) -> None:
    # Without a top-level `permissions:` the token gets the repository's default, often write.
    assert "permissions" in _load(path), f"{path.name}: add a top-level `permissions:` block"


def _steps(workflow: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    """Every step of every job, as (job name, position in the job, step)."""
    return [
        (job_name, index, step)
        for job_name, job in workflow["jobs"].items()
        for index, step in enumerate(job.get("steps", []))
    ]


def _cache_steps(workflow: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    return [s for s in _steps(workflow) if str(s[2].get("uses", "")).startswith("actions/cache")]


def test_book_cache_is_keyed_on_everything_the_outputs_depend_on() -> None:
    """Outputs depend on the app, the files lessons show and the pinned tools, not only the
    notebooks: a cache keyed on less would publish pages the current code does not produce."""
    caches = _cache_steps(_load(WORKFLOWS / "ci.yml"))
    assert caches, "ci.yml restores no actions/cache"
    for _job, _index, step in caches:
        key = step["with"]["key"]
        assert "hashFiles(" in key, key
        for inputs in ("reference_app/**", "lessons/**", "book/workbook/**", "infrastructure/**"):
            assert f"'{inputs}'" in key, key
        assert "'.ci/**'" in key, key  # the install scripts pin the tools the lessons run


def test_book_cache_is_restored_before_anything_writes_to_the_repository() -> None:
    """The key is hashed when the step runs; mypy and pytest leave caches in reference_app/."""
    workflow = _load(WORKFLOWS / "ci.yml")
    for job_name, index, _step in _cache_steps(workflow):
        earlier = workflow["jobs"][job_name]["steps"][:index]
        assert all(str(s.get("uses", "")).startswith("actions/checkout") for s in earlier)


def _keys(node: Any) -> list[str]:
    """Every mapping key anywhere in a parsed YAML document."""
    if isinstance(node, dict):
        return [str(k) for k in node] + [k for v in node.values() for k in _keys(v)]
    if isinstance(node, list):
        return [k for item in node for k in _keys(item)]
    return []


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda path: path.name)
def test_no_cache_falls_back_to_a_near_miss(path: Path) -> None:
    # restore-keys restores the newest cache with a matching prefix: outputs of older code.
    assert "restore-keys" not in _keys(_load(path)), f"{path.name}: remove restore-keys"
