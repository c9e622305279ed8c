"""The GitHub workflows are valid, and the book's execution cache can never go stale.

actionlint checks what GitHub would only report after a push: unknown keys, wrong expression
types, outdated actions, and (with shellcheck installed) mistakes in ``run:`` scripts. In CI
(``CI`` set) a missing actionlint fails the test, so the check cannot silently stop running; on
a laptop the test is skipped with the command to install it.

Run alone: ``uv run pytest book/tests/test_workflows.py --no-cov``
"""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
INSTALL_HINT = "bash .ci/install.sh, then put `uv tool dir --bin` on PATH"
ACTIONLINT_TIMEOUT_SECONDS = 60


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def _load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _find_actionlint() -> str | None:
    """``$ACTIONLINT`` if set (a path or a command name), else ``actionlint`` on PATH."""
    return shutil.which(os.environ.get("ACTIONLINT", "actionlint"))


def test_actionlint_finds_nothing() -> None:
    actionlint = _find_actionlint()
    if actionlint is None:
        if os.environ.get("CI"):
            pytest.fail(f"actionlint is required in CI; install it: {INSTALL_HINT}")
        pytest.skip(f"actionlint not installed: {INSTALL_HINT}")
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
