"""The student copy of a lab: what goes into a GitHub Classroom template repository.

It holds the assignment, the starter code, the public tests with the helpers they import, and
an autograding workflow: one ``autograding-command-grader`` step per public test, worth that
test's points, then the ``autograding-grading-reporter`` step that sends the total to Classroom.
It never holds the solution or the hidden tests: the copy is made by listing what goes in, not
by deleting what must not, and it is checked once written.

The app itself is not copied as source: the copy carries ``reference_app`` built as a wheel
(``wheels/``) and a ``requirements.txt`` that installs it with the exact versions of its
dependencies that the workbook's lock file tested, so a student needs nothing but Python and
PyPI, and extends the real ``reference_app`` exactly as the lab's tests in the workbook do.
"""

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import tomllib
from pathlib import Path

from workbook.lab_catalog import Lab, LabError, manifest_problems

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = ("pytest", "pytest-asyncio", "httpx", "asgi-lifespan")
WHEELS = "wheels"
# Every action pinned by commit, as in the workbook's own workflows: a tag can be moved to other
# code after a review, a commit cannot. Dependabot (github-actions) bumps these in the workbook.
# The release each commit is, for a reader of the workflow: "uses: <action>  # v6.1.0".
CHECKOUT = "actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803"
SETUP_PYTHON = "actions/setup-python@ece7cb06caefa5fff74198d8649806c4678c61a1"
GRADER = "classroom-resources/autograding-command-grader@d5b3fa6f50f7f629b7bfae0cc3e4c58852b412d5"
REPORTER = (
    "classroom-resources/autograding-grading-reporter@d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca"
)
RELEASES = {CHECKOUT: "v6.1.0", SETUP_PYTHON: "v6.3.0", GRADER: "v1", REPORTER: "v1"}
TEST_TIMEOUT_MINUTES = 5
FORBIDDEN_PARTS = ("solution", "hidden")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")

GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
.pytest_cache/
*.db
.tools/
"""


# The student's set-up, one command per line: the README shows them and the Classroom workflow
# runs the same install and test commands, so what passes on a laptop passes on GitHub.
CREATE_VENV = "python -m venv .venv"
INSTALL = "python -m pip install -r requirements.txt"
RUN_TESTS = "python -m pytest"
INSTALL_UV = "python -m pip install uv"  # the tools' install scripts run `uv tool install`


def setup_steps(app_requirement: str | None, tool_setup: tuple[str, ...] = ()) -> str:
    """The README's closing section: how to install the copy and run its tests.

    ``tool_setup`` are the lab's ``[release] setup`` commands: the tools it is graded with
    (promtool, hadolint, ...), installed by the workbook's own scripts, carried in the copy.
    """
    if app_requirement is None:
        installs = (
            "`reference_app` from `wheels/` (the app this lab extends) and the exact versions of "
            "everything it needs that the workbook was tested with"
        )
    else:
        installs = (
            f"the app this lab extends (`{app_requirement}`) and the test tools in the versions "
            "the workbook was tested with"
        )
    about = textwrap.fill(
        f"`requirements.txt` installs {installs}. Edit the files in `starter/`; every push runs "
        "the public tests on GitHub Classroom (`.github/workflows/classroom.yml`).",
        width=95,
        break_on_hyphens=False,
    )
    tools = "".join(f"{command}\n" for command in (INSTALL_UV, *tool_setup)) if tool_setup else ""
    if tool_setup:
        about += (
            "\n\nThe lines after `pip install uv` install the tools this lab is graded with, "
            "into `.tools/` (git ignores it)."
        )
    return f"""

## Set up

You need Python 3.11 or newer. In this folder:

```bash
{CREATE_VENV}
source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
{INSTALL}
{tools}{RUN_TESTS}                   # the public tests; they fail until you finish the lab
```

{about}
"""


def release(lab: Lab, out: Path, *, app_requirement: str | None = None) -> list[Path]:
    """Write the student copy of ``lab`` into ``out`` (new or empty); return the files written.

    ``app_requirement`` replaces the bundled wheel with another pip requirement for the app
    (e.g. a package on a private index); by default the copy carries the wheel.
    """
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


def requirements(app_requirement: str | None, out: Path, extra: tuple[str, ...] = ()) -> str:
    """``requirements.txt``: the app and the test tools, pinned to the workbook's uv.lock.

    The app is the wheel built from this checkout and copied into ``out/wheels/``, installed by
    relative path: it needs no published package, no git and no access to the workbook's
    repository, and it is always the app these tests were written against. Its dependencies
    are pinned by ``uv export`` from the lock (``--no-emit-workspace``: the export would
    otherwise name ``./reference_app``, a folder the copy does not have), and the test tools
    by their locked versions; the ranges in pyproject.toml would let a new release break a lab
    in the middle of a term. A student's install is then the set the workbook's CI tested.

    With ``app_requirement`` (another source for the app) nothing is pinned but the test
    tools: the app's dependencies are whatever that release of it asks for.
    """
    lines = ["# Written by `workbook lab release`: the versions the workbook was tested with."]
    if app_requirement is None:
        wheel = built_app_wheel()
        (out / WHEELS).mkdir(parents=True, exist_ok=True)
        shutil.copy2(wheel, out / WHEELS / wheel.name)
        lines += [_uv("export", "--frozen", "--package", "reference-app", "--no-dev",
                      "--no-hashes", "--no-emit-workspace", "--no-header",
                      "--format", "requirements-txt").strip(),
                  f"./{WHEELS}/{wheel.name}"]  # fmt: skip
    else:
        lines.append(app_requirement)
    locked = {
        package["name"]: package["version"]
        for package in tomllib.loads((REPOSITORY_ROOT / "uv.lock").read_text())["package"]
        if "version" in package
    }
    unknown = [name for name in extra if name not in locked]
    if unknown:
        raise LabError(f"[release] requirements not in the workbook's uv.lock: {unknown}")
    lines += [f"{name}=={locked[name]}" for name in (*TEST_TOOLS, *extra)]
    return "\n".join(lines) + "\n"


@functools.cache
def built_app_wheel() -> Path:
    """``reference_app`` built as a wheel, once per process (several labs may be released)."""
    out = Path(tempfile.mkdtemp(prefix="reference-app-wheel-"))
    _uv("build", "--package", "reference-app", "--wheel", "--out-dir", str(out), "--quiet")
    (wheel,) = out.glob("reference_app-*.whl")
    return wheel


def _uv(*arguments: str) -> str:
    """Run uv in the workbook's root (it builds and exports from the workspace's lock)."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise LabError("uv is needed to release a lab (it builds the app's wheel): pip install uv")
    result = subprocess.run(  # noqa: S603 - uv with fixed arguments
        [uv, *arguments], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise LabError(f"uv {arguments[0]} failed: {result.stderr.strip()}")
    return result.stdout


def _copy(lab: Lab, out: Path, app_requirement: str | None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    readme = (lab.path / "README.md").read_text(encoding="utf-8")
    _write(out / "README.md", readme.rstrip() + setup_steps(app_requirement, lab.setup))
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
    _write(out / "requirements.txt", requirements(app_requirement, out, lab.requirements))
    for path in lab.bundle:  # at the same paths, so the tests and the scripts find them
        source = REPOSITORY_ROOT / path
        if source.is_dir():
            shutil.copytree(source, out / path, ignore=IGNORED)
        else:
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / path)
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
        f"        uses: {CHECKOUT} # {RELEASES[CHECKOUT]}",
        "      - name: Set up Python",
        f"        uses: {SETUP_PYTHON} # {RELEASES[SETUP_PYTHON]}",
        "        with:",
        '          python-version: "3.11"',
        "          cache: pip",
        "      - name: Install the app and the test tools",
        f"        run: {INSTALL}",
    ]
    if lab.setup:
        lines += [
            "      - name: Install the tools this lab is graded with",
            "        run: |",
            f"          {INSTALL_UV}",
            *(f"          {command}" for command in lab.setup),
        ]
    for test in public:
        command = f"{RUN_TESTS} -q {test.node_id}"
        lines += [
            f"      - name: {json.dumps(test.name)}",
            f"        id: {step_id(test.name)}",
            f"        uses: {GRADER} # {RELEASES[GRADER]}",
            "        with:",
            f"          test-name: {json.dumps(test.name)}",
            '          setup-command: ""',
            f"          command: {json.dumps(command)}",
            f"          timeout: {TEST_TIMEOUT_MINUTES}",
            f"          max-score: {test.points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER} # {RELEASES[REPORTER]}",
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
