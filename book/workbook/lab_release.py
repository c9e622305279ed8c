"""The student copy of a lab: what goes into a GitHub Classroom template repository.

It holds the assignment, the starter code, the public tests with the helpers they import, and
an autograding workflow: one ``autograding-command-grader`` step per public test, worth that
test's points, then the ``autograding-grading-reporter`` step that sends the total to Classroom.
It never holds the solution or the hidden tests: the copy is made by listing what goes in, not
by deleting what must not, and it is checked once written.

The app itself is not copied: the copy installs it (``requirements.txt``), so students extend
the real ``reference_app`` exactly as the lab's tests in the workbook do.
"""

import json
import re
import shutil
from pathlib import Path

from workbook.lab_catalog import Lab, LabError, manifest_problems

REPOSITORY_URL = "https://github.com/fastapi-production-workbook/fastapi-production-workbook"
DEFAULT_APP_REQUIREMENT = f"reference-app @ git+{REPOSITORY_URL}@main#subdirectory=reference_app"
TEST_REQUIREMENTS = ("pytest>=8.3", "pytest-asyncio>=1.0", "httpx>=0.28", "asgi-lifespan>=2.1")
GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
TEST_TIMEOUT_MINUTES = 5
FORBIDDEN_PARTS = ("solution", "hidden")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")

GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
.pytest_cache/
*.db
"""


def release(lab: Lab, out: Path, *, app_requirement: str = DEFAULT_APP_REQUIREMENT) -> list[Path]:
    """Write the student copy of ``lab`` into ``out`` (new or empty); return the files written."""
    problems = manifest_problems(lab)
    if problems:
        raise LabError(f"Lab {lab.id} is not ready to release: " + "; ".join(problems))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise LabError(f"{out} already exists and is not empty: choose a new folder.")
    try:
        return _copy(lab, out, app_requirement)
    except OSError as exc:
        shutil.rmtree(out, ignore_errors=True)  # no half-written copy to hand out by mistake
        raise LabError(f"Could not write {out}: {exc}") from exc


def _copy(lab: Lab, out: Path, app_requirement: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(lab.path / "README.md", out / "README.md")
    shutil.copytree(lab.starter, out / "starter", ignore=IGNORED)
    tests = out / "tests"
    tests.mkdir()
    for item in sorted((lab.path / "tests").iterdir()):
        if item.name in FORBIDDEN_PARTS or item.name == "__pycache__":
            continue
        if item.is_dir():
            shutil.copytree(item, tests / item.name, ignore=IGNORED)
        else:
            shutil.copy2(item, tests / item.name)
    shutil.copytree(lab.shared / "labsupport", out / "_shared" / "labsupport", ignore=IGNORED)
    _write(out / "pytest.ini", _pytest_ini(lab))
    _write(out / "requirements.txt", "\n".join([app_requirement, *TEST_REQUIREMENTS]) + "\n")
    _write(out / ".gitignore", GITIGNORE)
    _write(out / ".github" / "workflows" / "classroom.yml", classroom_workflow(lab))
    written = sorted(path for path in out.rglob("*") if path.is_file())
    leaked = [p for p in written if set(p.relative_to(out).parts) & set(FORBIDDEN_PARTS)]
    if leaked:  # cannot happen with the copying above; checked so it never silently does
        shutil.rmtree(out)
        raise LabError(f"Refusing to release: {leaked[0]} would reveal the grading.")
    return written


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _pytest_ini(lab: Lab) -> str:
    """The labs' pytest.ini, with the helpers' path as it is in the copy (``_shared/``)."""
    text = (lab.shared / "pytest.ini").read_text(encoding="utf-8")
    return re.sub(r"(?m)^pythonpath = \.$", "pythonpath = _shared", text)


def step_id(test_name: str) -> str:
    """A workflow step id for a test: letters, digits and hyphens, as Classroom writes them."""
    return re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")


def classroom_workflow(lab: Lab) -> str:
    """GitHub Classroom's autograding workflow, one graded step per public test.

    Written as text rather than dumped from a dict so that it reads like the workflows
    Classroom itself generates, comments included. Strings are JSON-quoted, which YAML accepts.
    """
    public = lab.selected(include_hidden=False)
    lines = [
        f"# Autograding for lab {lab.id}: each public test is a step worth its points.",
        "# Written by `workbook lab release`; release the lab again rather than edit this file.",
        "name: Autograding Tests",
        '"on":',
        "  - push",
        "  - workflow_dispatch",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Check out the code",
        "        uses: actions/checkout@v6",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v6",
        "        with:",
        '          python-version: "3.11"',
        "      - name: Install the app and the test tools",
        "        run: python -m pip install -r requirements.txt",
    ]
    for test in public:
        command = f"python -m pytest -q {test.node_id}"
        lines += [
            f"      - name: {json.dumps(test.name)}",
            f"        id: {step_id(test.name)}",
            f"        uses: {GRADER}",
            "        with:",
            f"          test-name: {json.dumps(test.name)}",
            '          setup-command: ""',
            f"          command: {json.dumps(command)}",
            f"          timeout: {TEST_TIMEOUT_MINUTES}",
            f"          max-score: {test.points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER}",
        "        env:",
        *(
            f'          {step_id(t.name).upper()}_RESULTS: "${{{{ steps.{step_id(t.name)}'
            '.outputs.result }}"'
            for t in public
        ),
        "        with:",
        f"          runners: {','.join(step_id(t.name) for t in public)}",
    ]
    return "\n".join(lines) + "\n"
