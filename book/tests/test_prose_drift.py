"""Prose must not say what the page did not show: one test per kind of drift found so far.

- A lesson looked a tool up on its own and skipped quietly when it was missing, so the published
  page described results that no cell produced. Lessons find tools through
  ``workbook.notebook.find_tool``, which fails under CI, and a cell whose step depends on a tool
  says so when it does not run.
- A page named paths the app does not serve (health probes without ``/api/v1``).
- The intro's architecture picture predated Redis and Celery.
- `workbook doctor` listed a tool for chapters that do not exist.
- Lesson 02 called the newest migration "the first migration".

Run alone: ``uv run pytest book/tests/test_prose_drift.py --no-cov``
"""

import ast
import json
import re
from pathlib import Path

import pytest

from reference_app.core.config import Settings
from reference_app.main import create_app
from workbook import doctor, notebook

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
PINNED_TOOLS = ("hadolint", "helm", "checkov", "traefik", "promtool", "prometheus", "terraform")
# Variables that hold a tool (or the process it started) in the lessons' cells.
TOOL_VARIABLES = {
    "traefik",
    "traefik_binary",
    "promtool",
    "prometheus_binary",
    "prometheus_process",
}
PAGES_WITH_PATHS = [REPO / "reference_app" / "README.md", *sorted((REPO / "book").glob("*.md"))]
APP_PATH = re.compile(r"`(?:GET |POST |PUT |PATCH |DELETE )?(/(?:api|health|docs|redoc)[^`\s]*)`")


def code_cells(lesson: Path) -> list[str]:
    notebook_json = json.loads(lesson.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook_json["cells"] if c["cell_type"] == "code"]


def parse_cell(source: str) -> ast.Module:
    """A cell as Python; top-level ``await`` is allowed, as in the notebook."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree: ast.Module = compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)
    return tree


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lessons_find_pinned_tools_through_find_tool(lesson: Path) -> None:
    """A direct lookup skips quietly in CI; find_tool fails there instead."""
    code = "\n".join(code_cells(lesson))
    for tool in PINNED_TOOLS:
        assert f'shutil.which("{tool}")' not in code, f"{lesson.name}: use find_tool({tool!r})"
        assert f'infra_tools.find_tool("{tool}")' not in code, f"{lesson.name}: use find_tool"


def shows_something(statement: ast.If) -> bool:
    """Whether the branch prints or displays (a clean-up step that shows nothing may be silent)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"print", "display"}
        for body_statement in statement.body
        for node in ast.walk(body_statement)
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_step_that_needs_a_tool_says_when_it_did_not_run(lesson: Path) -> None:
    """`if traefik:` with no `else` leaves an empty cell under prose describing its result."""
    silent = []
    for source in code_cells(lesson):
        for statement in parse_cell(source).body:
            if not isinstance(statement, ast.If) or statement.orelse:
                continue
            names = {node.id for node in ast.walk(statement.test) if isinstance(node, ast.Name)}
            if names & TOOL_VARIABLES and shows_something(statement):
                silent.append(ast.unparse(statement.test))
    assert silent == [], f"{lesson.name}: add an else that says the step did not run: {silent}"


def test_find_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(notebook.MissingToolError, match="no-such-tool is required"):
        notebook.find_tool("no-such-tool", "bash .ci/install.sh")


def test_find_tool_skips_with_the_install_command_elsewhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert notebook.find_tool("no-such-tool", "bash .ci/install.sh") is None
    assert "`bash .ci/install.sh` installs it" in capsys.readouterr().out


def app_paths(tmp_path: Path) -> set[str]:
    settings = Settings.model_validate(
        {
            "environment": "test",
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'paths.db'}",
            "secret_key": "a-secret-key-long-enough-for-hs256-signatures",
        }
    )
    app = create_app(settings)
    # The schema lists every operation (FastAPI includes routers lazily: app.routes does not).
    return set(app.openapi()["paths"]) | {"/docs", "/redoc", "/metrics"}


def matches_a_route(path: str, routes: set[str]) -> bool:
    """``/api/v1/posts/{post_id}`` and ``/api/v1/posts/123`` both match that route."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    for route in routes:
        parts = ["[^/]+" if p.startswith("{") else re.escape(p) for p in route.split("/")]
        # A prefix of a route, such as /api/v1, names where its routes live.
        if re.fullmatch("/".join(parts), path) or route.startswith(path + "/"):
            return True
    return False


@pytest.mark.parametrize("page", PAGES_WITH_PATHS, ids=lambda p: p.name)
def test_every_app_path_a_page_names_is_served(page: Path, tmp_path: Path) -> None:
    routes = app_paths(tmp_path)
    named = APP_PATH.findall(page.read_text(encoding="utf-8"))
    unknown = [path for path in named if not matches_a_route(path, routes)]
    assert unknown == [], f"{page.name} names paths the app does not serve: {unknown}"


def test_the_intro_picture_shows_what_the_app_runs_on() -> None:
    intro = (REPO / "book" / "intro.md").read_text(encoding="utf-8")
    picture = intro.split("```text", 1)[1].split("```", 1)[0]
    for part in ("SQLite", "PostgreSQL", "Redis", "Celery", "SSE", "Prometheus", "OpenTelemetry"):
        assert part in picture, f"the architecture picture in intro.md does not show {part}"
    features = REPO / "reference_app" / "src" / "reference_app"
    for folder in ("auth", "users", "posts", "todos", "events", "jobs", "health"):
        assert (features / folder).is_dir()
        assert f"{folder}/" in picture, f"the picture's routes do not name {folder}/"


def test_doctor_lists_only_what_the_book_uses() -> None:
    """Each program doctor looks for is installed by the install script, or is uv itself."""
    installs = (REPO / ".ci" / "install.sh").read_text(encoding="utf-8")
    for script in re.findall(r"bash (\S+\.sh)", installs):
        installs += (REPO / script).read_text(encoding="utf-8")
    programs = [f.name for f in doctor.run_checks() if f.name.islower()]
    assert "node" not in programs
    assert [name for name in programs if name != "uv" and name not in installs] == []


def test_lesson_02_shows_the_first_migration_as_the_first() -> None:
    code = "\n".join(code_cells(REPO / "lessons" / "02_data.ipynb"))
    assert "get_bases()" in code
    assert "show_source(first.module.upgrade)" in code
