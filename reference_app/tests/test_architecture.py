"""The architecture holds: import-linter checks the contracts in ``pyproject.toml``.

``[tool.importlinter]`` states them: core imports no feature; the shared services (task queue
included) import no feature; the features stand in layers (users, then auth, then posts, todos
and events, then profiles, then jobs); nothing imports the entry points; and no two packages,
nor two modules of one package, import each other. A new import that breaks one fails here,
with import-linter's report of the offending chain, before it becomes a cycle someone has to
hold open with a function-level import.
"""

import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [str(lint_imports), "--no-cache"],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_core_holds_only_what_everything_stands_on() -> None:
    """``core/`` is settings, database, errors and security; shared services have folders of
    their own (caching, rate_limiting, shared_redis, observability, web), so ``core`` does not
    become the drawer every new module is put in."""
    core = TEMPLATE / "src" / "reference_app" / "core"
    modules = {path.stem for path in core.glob("*.py")} - {"__init__"}
    assert modules == {"config", "database", "errors", "security"}
