"""`reference_app/` works when a team copies it alone, with the versions the workbook tested.

Inside the workbook uv uses the workspace's uv.lock and ignores `reference_app/uv.lock`; a copy
of the folder has only the latter. So the two must hold the same versions (written by
`.ci/sync_template_lock.py`), and the folder, copied out of the workbook, must install from its
own lock and pass its own tests.

The copy runs a few of the app's test modules, chosen to cover SQLite and PostgreSQL,
migrations, Redis and the CLI: the whole suite takes about five minutes on two cores, and
collecting every module already proves that each one imports in the copy's environment. The
whole suite, by hand:

    tmp=$(mktemp -d) && cp -r reference_app "$tmp/my-service" && cd "$tmp/my-service" \\
        && env -u VIRTUAL_ENV uv sync --locked && uv run pytest

Run alone: ``uv run pytest book/tests/test_template_standalone.py --no-cov``
"""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SYNC_SCRIPT = REPO / ".ci" / "sync_template_lock.py"
FIX = "run: uv run python .ci/sync_template_lock.py"
# SQLite and PostgreSQL (every database test runs on both), Alembic, Redis, the CLI.
REPRESENTATIVE_TESTS = [
    "tests/test_migrations.py",
    "tests/test_todos.py",
    "tests/test_cache.py",
    "tests/test_cli.py",
]
TEMPLATE_WORKFLOW = REPO / "reference_app" / ".github" / "workflows" / "ci.yml"
SYNC_TIMEOUT_SECONDS = 600  # a cold uv cache downloads every wheel
TESTS_TIMEOUT_SECONDS = 600


def load_sync_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_template_lock", SYNC_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync = load_sync_script()


def test_template_lock_has_the_workspace_versions() -> None:
    problems = sync.lock_differences(
        sync.read_lock(sync.WORKSPACE_LOCK), sync.read_lock(sync.TEMPLATE_LOCK)
    )
    assert problems == [], "\n".join([*problems, FIX])


def test_the_comparison_sees_a_changed_version_and_a_missing_package() -> None:
    workspace = sync.read_lock(sync.WORKSPACE_LOCK)
    template = sync.read_lock(sync.TEMPLATE_LOCK)
    fastapi = next(p for p in template["package"] if p["name"] == "fastapi")
    fastapi["version"] = "0.0.1"
    template["package"] = [p for p in template["package"] if p["name"] != "redis"]
    problems = sync.lock_differences(workspace, template)
    assert any(line.startswith("fastapi 0.0.1: the workspace lock has") for line in problems)
    assert any(line.startswith("redis ") and "missing" in line for line in problems)


def test_the_template_workflow_is_valid_and_reads_only() -> None:
    """The copy's own CI: actionlint-clean (as the workbook's workflows, test_workflows.py)."""
    workflow = yaml.safe_load(TEMPLATE_WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    actionlint = shutil.which(os.environ.get("ACTIONLINT", "actionlint"))
    if actionlint is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is required in CI: bash .ci/install.sh")
        pytest.skip("actionlint not installed: bash .ci/install.sh, then `uv tool dir --bin`")
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", str(TEMPLATE_WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_in(copy: Path, *command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sync.uv_command(), *command],
        cwd=copy,
        env=sync.standalone_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder alone, outside the workbook, installed from its own lock into its own .venv."""
    copy = sync.copy_template(tmp_path_factory.mktemp("template") / "my-service")
    assert not (copy / ".venv").exists()
    # --locked: exactly uv.lock, and an error if it no longer matches pyproject.toml.
    installed = run_in(copy, "sync", "--locked", timeout=SYNC_TIMEOUT_SECONDS)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return copy


def test_the_copy_uses_its_own_environment(template_copy: Path) -> None:
    where = run_in(
        template_copy,
        "run",
        "--frozen",
        "python",
        "-c",
        "import sys, reference_app; print(sys.prefix); print(reference_app.__file__)",
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    prefix, package = where.stdout.split()
    assert Path(prefix) == (template_copy / ".venv").resolve()
    assert Path(package).is_relative_to(template_copy.resolve())


def test_the_copy_passes_its_own_tests(template_copy: Path) -> None:
    collected = run_in(
        template_copy, "run", "--frozen", "pytest", "--collect-only", "-q", "--no-cov",
        "-p", "no:cacheprovider", timeout=TESTS_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    tested = run_in(
        template_copy, "run", "--frozen", "pytest", "-x", "-q", "--no-cov",
        "-p", "no:cacheprovider", *REPRESENTATIVE_TESTS, timeout=TESTS_TIMEOUT_SECONDS,
    )  # fmt: skip
    # PostgreSQL or Redis missing: the copy's tests skip on a laptop and fail in CI, as the
    # workbook's own do (CI and REQUIRE_SERVICES reach them).
    assert tested.returncode == 0, tested.stdout[-5000:] + tested.stderr[-3000:]
