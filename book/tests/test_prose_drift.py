"""Prose must not say what the page did not show: one test per kind of drift found so far.

- A lesson looked a tool up on its own and skipped quietly when it was missing, so the published
  page described results that no cell produced. Lessons find tools through
  ``workbook.notebook.find_tool``, which fails under CI, and a cell whose step depends on a tool
  says so when it does not run.
- A page named paths the app does not serve (health probes without ``/api/v1``).
- The intro's architecture picture predated Redis and Celery.
- `workbook doctor` listed a tool for chapters that do not exist.
- Lesson 02 called the newest migration "the first migration".
- Lesson 01's router prose contradicted the docstring printed under it.
- Lessons 09 and 12 (now 11 and 14) stated live results in prose, also on a run where the
  tool was missing.

Run alone: ``uv run pytest book/tests/test_prose_drift.py --no-cov``
"""

import ast
import json
import re
from pathlib import Path

import pytest

import reference_app.routers
from reference_app.core.config import Settings
from reference_app.main import create_app
from workbook import doctor

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
        assert f'locate("{tool}")' not in code, f"{lesson.name}: use find_tool({tool!r})"


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
    source = REPO / "reference_app" / "src" / "reference_app"
    packages = sorted(path.parent.name for path in source.glob("*/__init__.py"))
    assert {"auth", "core", "events", "jobs", "posts"} <= set(packages)
    missing = [package for package in packages if f"{package}/" not in picture]
    assert missing == [], f"the picture in intro.md does not name these packages: {missing}"


def test_doctor_lists_only_what_the_book_uses() -> None:
    """Each program doctor looks for is installed by the install script, or is uv itself."""
    installs = (REPO / ".ci" / "install.sh").read_text(encoding="utf-8")
    for script in re.findall(r"bash (\S+\.sh)", installs):
        installs += (REPO / script).read_text(encoding="utf-8")
    programs = [f.name for f in doctor.run_checks() if f.name.islower()]
    assert "node" not in programs
    assert [name for name in programs if name != "uv" and name not in installs] == []


LESSON_NUMBERS = re.compile(r"\blessons? (\d+(?:(?:, | and )\d+)*)")
NOT_A_LESSON = ("everything", "the test suite", "the built book")


def named_lessons(needed_for: str) -> set[int]:
    """``"lessons 10, 11 and 13: ..."`` -> {10, 11, 13}."""
    return {
        int(number)
        for numbers in LESSON_NUMBERS.findall(needed_for)
        for number in re.findall(r"\d+", numbers)
    }


def test_every_doctor_item_is_needed_for_a_lesson_that_exists() -> None:
    lessons = {int(lesson.name[:2]) for lesson in LESSONS}
    for finding in doctor.run_checks():
        named = named_lessons(finding.needed_for)
        assert named or finding.needed_for.startswith(NOT_A_LESSON), finding
        assert named <= lessons, f"{finding.name} is needed for lessons that do not exist: {named}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_doctor_lists_every_tool_a_lesson_looks_up(lesson: Path) -> None:
    code = "\n".join(code_cells(lesson))
    wanted = set(re.findall(r'\b(?:find_tool|tool)\(\s*"([\w.-]+)"', code))
    listed = {f.name: named_lessons(f.needed_for) for f in doctor.run_checks()}
    number = int(lesson.name[:2])
    unlisted = [tool for tool in sorted(wanted) if number not in listed.get(tool, set())]
    assert unlisted == [], f"doctor does not list these tools for {lesson.stem}: {unlisted}"


def test_lesson_02_shows_the_first_migration_as_the_first() -> None:
    """Which migration is first, and how many there are, come from Alembic's history."""
    code = "\n".join(code_cells(REPO / "lessons" / "02_data.ipynb"))
    assert "get_bases()" in code
    assert "show_source(first.module.upgrade)" in code
    assert 'glue("first_migration", first.revision' in code
    versions = REPO / "reference_app" / "src" / "reference_app" / "migrations" / "versions"
    if len(list(versions.glob("*.py"))) > 1:
        prose = "\n".join(markdown_cells(REPO / "lessons" / "02_data.ipynb"))
        assert "the only migration" not in prose
        assert "{glue:text}`migration_count`" in prose


def test_lesson_01_router_prose_agrees_with_the_docstring_it_shows() -> None:
    """The prose before ``show_source(reference_app.routers)`` repeats its docstring's terms."""
    docstring = reference_app.routers.__doc__ or ""
    notebook_json = json.loads((REPO / "lessons" / "01_layout_and_settings.ipynb").read_text())
    cells = notebook_json["cells"]
    shown = next(
        i
        for i, c in enumerate(cells)
        if "".join(c["source"]) == "show_source(reference_app.routers)"
    )
    prose = "".join(cells[shown - 1]["source"])
    for term in re.findall(r"`([^`]+)`", prose):
        assert term in docstring or term == "routers.py", f"{term!r} is not in the docstring"
    for claim in ("busiest first", "directly under", "rather than"):
        assert claim in prose, claim
        assert claim in docstring, claim


def markdown_cells(lesson: Path) -> list[str]:
    notebook_json = json.loads(lesson.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook_json["cells"] if c["cell_type"] == "markdown"]


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w-]+)`|```\{glue(?::\w+)?\} ([\w-]+)")
GLUE_CALL = ("glue", "verdict")  # verdict(name, text) in lesson 14 glues too


def glued_names(statements: list[ast.stmt]) -> set[str]:
    return {
        node.args[0].value
        for statement in statements
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in GLUE_CALL
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_prose_glued_from_a_tool_step_is_glued_when_the_tool_is_missing(lesson: Path) -> None:
    """CI always has the tools, so only this test sees the branch that runs without them."""
    used = {a or b for a, b in GLUE_ROLE.findall("\n".join(markdown_cells(lesson)))}
    glued: set[str] = set()
    for source in code_cells(lesson):
        for statement in parse_cell(source).body:
            glued |= glued_names([statement])
            if isinstance(statement, ast.If):
                names = {node.id for node in ast.walk(statement.test) if isinstance(node, ast.Name)}
                if names & TOOL_VARIABLES:
                    one_branch = glued_names(statement.body) ^ glued_names(statement.orelse)
                    assert one_branch == set(), f"{lesson.name}: glued on one branch: {one_branch}"
    assert used <= glued, f"{lesson.name}: prose pastes what no cell glues: {used - glued}"
