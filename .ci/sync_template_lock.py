"""Write reference_app/uv.lock: the template's own lock, with the workbook's tested versions.

Teams copy `reference_app/` alone, and a copy needs a lock of its own: without one, `uv` resolves
the newest releases, not the versions the workbook's suite ran against. Inside the workbook uv
ignores that file (the workspace root's uv.lock is the one in use), so nothing updates it by
itself: run this script after every change to the root uv.lock or to
reference_app/pyproject.toml. book/tests/test_template_standalone.py fails until you do.

It lives in `.ci/`, not in `reference_app/`, because it reads the workspace's uv.lock, which a
copy of the template does not have.

How: copy the folder alone to a temporary directory, put the workspace's uv.lock in it, and run
`uv lock` there. uv keeps every locked version that still satisfies the requirements and drops
the packages only the book needs. (`uv lock` takes no constraints file, and constraints in
pyproject.toml would be copied by every team.) The result is compared with the workspace lock
before it is written: any other version, or a different set of packages, is an error.

    uv run python .ci/sync_template_lock.py           # write reference_app/uv.lock
    uv run python .ci/sync_template_lock.py --check   # only compare; exit 1 when out of step
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "reference_app"
WORKSPACE_LOCK = REPO / "uv.lock"
TEMPLATE_LOCK = TEMPLATE / "uv.lock"
TEMPLATE_PACKAGE = "reference-app"
# What a team's copy would not contain: environments, caches, reports and local data.
NOT_COPIED = shutil.ignore_patterns(
    ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".coverage*",
    "htmlcov", "site", "*.db", "*.db-*", "*.jobs", "sent_emails", ".env",
    # The frontend's installed packages and build output (hundreds of MB): a copy reinstalls.
    "node_modules", ".next", "test-results", "playwright-report", "*.tsbuildinfo",
)  # fmt: skip
# Variables that would point uv, run from inside the workbook, back at the workbook's venv.
WORKSPACE_VARIABLES = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PROJECT")

Lock = dict[str, Any]
Package = tuple[str, str]  # (name, version)


def read_lock(path: Path) -> Lock:
    with path.open("rb") as file:
        return tomllib.load(file)


def copy_template(destination: Path) -> Path:
    """`reference_app/` as a team copies it, at ``destination``; returns ``destination``."""
    shutil.copytree(TEMPLATE, destination, ignore=NOT_COPIED)
    return destination


def standalone_env() -> dict[str, str]:
    """This process's environment without what ties uv to the workbook's environment."""
    return {k: v for k, v in os.environ.items() if k not in WORKSPACE_VARIABLES}


def uv_command() -> str:
    """The uv that runs this script (`uv run` says where it is in $UV), else uv on PATH."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise SystemExit("uv not found: https://docs.astral.sh/uv/")
    return uv


def locked_packages(lock: Lock) -> set[Package]:
    return {(package["name"], package["version"]) for package in lock["package"]}


def template_closure(workspace_lock: Lock, root: str = TEMPLATE_PACKAGE) -> set[Package]:
    """The packages of the workspace lock that ``root`` needs: its dependencies, with the
    extras they ask for, and its development groups, followed to the end."""
    by_name: dict[str, list[Lock]] = {}
    for package in workspace_lock["package"]:
        by_name.setdefault(package["name"], []).append(package)

    def find(name: str, version: str | None = None) -> Lock:
        # A name locked at several versions (a fork by Python version) names its version.
        (package,) = [p for p in by_name[name] if version in (None, p["version"])]
        return package

    def requirements(package: Lock, extra: str | None) -> list[tuple[Lock, str | None]]:
        if extra is not None:
            entries = package.get("optional-dependencies", {})[extra]
        else:
            entries = [*package.get("dependencies", [])]
            if package["name"] == root:
                groups = package.get("dev-dependencies", {}).values()
                entries += [entry for group in groups for entry in group]
        edges: list[tuple[Lock, str | None]] = []
        for entry in entries:
            dependency = find(entry["name"], entry.get("version"))
            edges += [(dependency, None), *((dependency, e) for e in entry.get("extra", []))]
        return edges

    seen: set[tuple[str, str, str | None]] = set()
    todo: list[tuple[Lock, str | None]] = [(find(root), None)]
    while todo:
        package, extra = todo.pop()
        node = (package["name"], package["version"], extra)
        if node not in seen:
            seen.add(node)
            todo.extend(requirements(package, extra))
    return {(name, version) for name, version, _ in seen}


def lock_differences(workspace_lock: Lock, template_lock: Lock) -> list[str]:
    """How the template lock differs from the workspace's tested set; empty when it does not."""
    expected = template_closure(workspace_lock)
    actual = locked_packages(template_lock)
    tested: dict[str, list[str]] = {}
    for name, version in sorted(expected):
        tested.setdefault(name, []).append(version)
    extra = [
        f"{name} {version}: the workspace lock has {', '.join(tested.get(name, ['none']))}"
        for name, version in sorted(actual - expected)
    ]
    missing = [
        f"{name} {version}: in the workspace lock, missing from the template's"
        for name, version in sorted(expected - actual)
    ]
    return extra + missing


def lock_template(workdir: Path) -> Path:
    """Lock a copy of the template, seeded with the workspace lock; returns the new lock."""
    copy = copy_template(workdir / "reference_app")
    shutil.copyfile(WORKSPACE_LOCK, copy / "uv.lock")
    subprocess.run(  # noqa: S603 - uv itself, fixed arguments
        [uv_command(), "lock", "--quiet"],
        cwd=copy,
        env=standalone_env(),
        check=True,
    )
    return copy / "uv.lock"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args()
    workspace_lock = read_lock(WORKSPACE_LOCK)
    if args.check:
        problems = lock_differences(workspace_lock, read_lock(TEMPLATE_LOCK))
    else:
        with tempfile.TemporaryDirectory(prefix="template-lock-") as tmp:
            new_lock = lock_template(Path(tmp))
            problems = lock_differences(workspace_lock, read_lock(new_lock))
            if not problems:
                shutil.copyfile(new_lock, TEMPLATE_LOCK)
    relative = TEMPLATE_LOCK.relative_to(REPO)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{relative} is not the workspace's tested set", file=sys.stderr)
        return 1
    print(f"{relative}: the workspace's versions, {'checked' if args.check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
