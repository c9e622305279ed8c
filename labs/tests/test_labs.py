"""Every lab can be passed and can be failed, and ``workbook lab`` does what it says.

Like ``otter assign`` (every test against the solution) and ``nbgrader validate --invert`` (the
starter must fail), the solution of every lab scores 100% on public and hidden tests, and the
untouched starter fails at least one of each: a lab that cannot be passed, or cannot be
failed, never reaches students.

The lab runs are slow (a process each, importing the app), so each lab runs once against its
starter and once against its solution, all in parallel, and the assertions share the results.

Run alone: ``uv run pytest labs/tests --no-cov``
"""

import dataclasses
import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from typer.testing import CliRunner

from workbook import cli, labs
from workbook.lab_catalog import Lab, LabError, all_labs, find_lab, manifest_problems
from workbook.lab_release import GRADER, INSTALL, INSTALL_UV, REPORTER, RUN_TESTS, WHEELS, release
from workbook.lab_runner import Case, Grade, parse_junit, run_lab, score

REPO = Path(__file__).resolve().parents[2]
LABS = all_labs()
LAB_IDS = [lab.id for lab in LABS]
RELEASED_LAB = "01-settings"  # the quickest lab: the one the command tests run for real
runner = CliRunner()


class Runs(NamedTuple):
    grades: dict[tuple[str, str], Grade]  # (lab id, "starter" | "solution") -> grade
    released: Path  # a student copy of RELEASED_LAB
    released_run: subprocess.CompletedProcess[str]  # `python -m pytest` inside that copy


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    released = tmp_path_factory.mktemp("release") / "student-copy"
    release(find_lab(RELEASED_LAB), released)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {  # the longest runs (the later labs start whole apps) first
            (lab.id, kind): pool.submit(run_lab, lab, folder, include_hidden=True)
            for lab in reversed(LABS)
            for kind, folder in (("starter", lab.starter), ("solution", lab.solution))
        }
        released_run = pool.submit(_pytest_in, released)
        return Runs(
            {key: f.result() for key, f in futures.items()}, released, released_run.result()
        )


def _pytest_in(folder: Path) -> subprocess.CompletedProcess[str]:
    """What a student runs in their copy: plain ``python -m pytest`` at its root."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "APP_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--junitxml", "report.xml", "-q"],
        cwd=folder,
        env={**environment, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, ["lab", *args], env={"COLUMNS": "200"})


@pytest.fixture
def recorded_runs(monkeypatch: pytest.MonkeyPatch, runs: Runs) -> list[dict[str, Any]]:
    """Make the commands reuse the module's runs instead of starting new ones; record calls."""
    calls: list[dict[str, Any]] = []

    def run(lab: Lab, src: Path, *, include_hidden: bool) -> Grade:
        calls.append({"lab": lab.id, "src": src, "include_hidden": include_hidden})
        grade = runs.grades[(lab.id, "solution" if src == lab.solution else "starter")]
        public = tuple(r for r in grade.results if include_hidden or r.visibility == "public")
        return dataclasses.replace(grade, results=public, include_hidden=include_hidden)

    monkeypatch.setattr(labs, "run_lab", run)
    return calls


# --- the labs themselves ---------------------------------------------------------------------


# The frontend chapter's exercises need Node.js and a browser on the student's machine; a lab
# for it (graded with Vitest and Playwright) is not written yet. (The performance chapter's lab
# grades the memo the lesson measures, not a measurement: timings differ on every machine.)
LESSONS_WITHOUT_A_LAB = {"09_frontend"}


def test_there_is_a_lab_for_every_lesson() -> None:
    lessons = {p.stem for p in (REPO / "lessons").glob("*.ipynb")}
    covered = {lab.lesson for lab in LABS}
    assert covered == lessons - LESSONS_WITHOUT_A_LAB, f"without a lab: {lessons - covered}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_manifest_lists_exactly_the_tests(lab: Lab) -> None:
    assert manifest_problems(lab) == []


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_solution_scores_full_marks(lab: Lab, runs: Runs) -> None:
    grade = runs.grades[(lab.id, "solution")]
    failures = [f"{r.name}: {r.outcome}: {r.message}" for r in grade.failed()]
    assert failures == [], grade.output
    assert grade.score == grade.max_score == lab.max_points()


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_starter_fails_a_public_and_a_hidden_test(lab: Lab, runs: Runs) -> None:
    grade = runs.grades[(lab.id, "starter")]
    assert grade.failed("public"), "the starter passes every public test"
    assert grade.failed("hidden"), "the starter passes every hidden test"
    assert grade.score < grade.max_score
    # Failing, but cleanly: every test ran and failed on an assertion, not on a broken setup.
    assert {r.outcome for r in grade.failed()} == {"failed"}, grade.output


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_readme_names_the_lesson_it_practises(lab: Lab) -> None:
    """The header's "**Lesson:** N" is the lesson of lab.toml (chapters were renumbered once)."""
    header = (lab.path / "README.md").read_text(encoding="utf-8").splitlines()[2]
    assert header.startswith(f"**Lesson:** {int(lab.lesson[:2])}, "), header


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_readme_is_a_book_page_with_the_grading(lab: Lab) -> None:
    """Jupyter Book renders it next to its lesson: one title, no skipped heading levels, no raw
    HTML, no relative links (they break once the page moves); and it states the points."""
    text = (lab.path / "README.md").read_text(encoding="utf-8")
    prose = re.sub(r"(?ms)^```.*?^```", "", text)
    levels = [len(m[1]) for m in re.finditer(r"(?m)^(#+) ", prose)]
    assert text.startswith(f"# Lab {lab.number} — ")
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert not re.search(r"<[a-zA-Z!/]", prose), "raw HTML"
    assert not re.search(r"\]\((?!https?://)", prose), "relative link"
    public, hidden = lab.max_points("public"), lab.max_points("hidden")
    assert f"**Points:** {public} public, {hidden} hidden" in text
    for test in lab.selected(include_hidden=False):
        assert f"| `{test.name}` | {test.points} |" in text
    for test in lab.tests:
        if test.visibility == "hidden":
            assert test.name not in text, "a hidden test's name is in the student's README"


# --- workbook lab list / check / grade -------------------------------------------------------


def test_list_shows_every_lab_with_its_lesson_and_points() -> None:
    result = invoke("list")
    assert result.exit_code == 0, result.output
    for lab in LABS:
        assert lab.id in result.output
        assert lab.lesson in result.output
        assert f"{lab.max_points('hidden')} pts" in result.output


def test_find_lab_accepts_a_number_or_a_folder_name() -> None:
    assert find_lab("1").id == find_lab("01").id == find_lab("01-settings").id == "01-settings"
    with pytest.raises(LabError, match="01-settings"):
        find_lab("99")


def test_check_explains_each_failing_public_test() -> None:
    lab = find_lab(RELEASED_LAB)
    result = invoke("check", "01")
    assert result.exit_code == 1, result.output
    assert "✘" in result.output
    assert f"0/{lab.max_points('public')} points" in result.output
    first = lab.selected(include_hidden=False)[0]
    assert first.name in result.output
    assert f"Hint: {first.hint}" in result.output
    assert "(hidden)" not in result.output


def test_check_passes_the_solution(recorded_runs: list[dict[str, Any]]) -> None:
    lab = find_lab(RELEASED_LAB)
    result = invoke("check", "01", "--src", str(lab.solution))
    assert result.exit_code == 0, result.output
    assert "All 4 public tests pass" in result.output
    assert recorded_runs == [{"lab": lab.id, "src": lab.solution, "include_hidden": False}]


def test_grade_writes_scores_as_json_and_junit(
    tmp_path: Path, recorded_runs: list[dict[str, Any]]
) -> None:
    lab = find_lab(RELEASED_LAB)
    result = invoke("grade", "01", "--solution", "--hidden", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert recorded_runs == [{"lab": lab.id, "src": lab.solution, "include_hidden": True}]
    assert f"Score: {lab.max_points()}/{lab.max_points()} (100%)" in result.output
    report = yaml.safe_load((tmp_path / f"{lab.id}.json").read_text())  # JSON is YAML
    assert (report["score"], report["percent"], report["hidden_tests_included"]) == (
        lab.max_points(),
        100.0,
        True,
    )
    assert [t["name"] for t in report["tests"]] == [t.name for t in lab.tests]
    suite = ET.parse(tmp_path / f"{lab.id}.junit.xml").getroot().find("testsuite")  # noqa: S314
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == (str(len(lab.tests)), "0")


def test_a_failing_grade_is_written_with_messages_and_hints(tmp_path: Path, runs: Runs) -> None:
    grade = runs.grades[(RELEASED_LAB, "starter")]
    _, xml_path = grade.write(tmp_path)
    failures = ET.parse(xml_path).getroot().iter("failure")  # noqa: S314
    assert {f.get("message") != "" and bool(f.text) for f in failures} == {True}
    points = [p.get("value") for p in ET.parse(xml_path).getroot().iter("property")]  # noqa: S314
    assert points[:2] == [str(grade.score), str(grade.max_score)]


def test_grading_public_tests_only_is_the_default(
    tmp_path: Path, recorded_runs: list[dict[str, Any]]
) -> None:
    result = invoke("grade", "01", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert recorded_runs[0]["include_hidden"] is False
    assert "add --hidden" in result.output
    report = yaml.safe_load((tmp_path / f"{RELEASED_LAB}.json").read_text())
    assert {t["visibility"] for t in report["tests"]} == {"public"}


# --- workbook lab release --------------------------------------------------------------------


@pytest.fixture(scope="module")
def released_labs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("released")
    copies = {}
    for lab in LABS:
        result = invoke("release", lab.id, "--out", str(root / lab.id))
        assert result.exit_code == 0, result.output
        copies[lab.id] = root / lab.id
    yield copies
    shutil.rmtree(root)


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_student_copy_has_no_solution_and_no_hidden_tests(
    lab: Lab, released_labs: dict[str, Path]
) -> None:
    copy = released_labs[lab.id]
    files = [p.relative_to(copy) for p in copy.rglob("*") if p.is_file()]
    names = {f.as_posix() for f in files}
    parts = {part for f in files for part in f.parts}
    assert not parts & {"solution", "hidden", "__pycache__"}, sorted(names)
    hidden_names = [t.name for t in lab.tests if t.visibility == "hidden"]
    texts = [(copy / n).read_text(encoding="utf-8") for n in names if not n.endswith(".whl")]
    assert not any(name in text for name in hidden_names for text in texts)
    solution_code = {p.read_text() for p in lab.solution.rglob("*.py")}
    assert not solution_code & set(texts), "a solution file was copied"
    expected = {"README.md", "pytest.ini", "requirements.txt", "tests/conftest.py"}
    expected |= {f"starter/{f}" for f in lab.files}
    expected |= {"_shared/labsupport/plugin.py", ".github/workflows/classroom.yml"}
    assert expected <= names
    (wheel,) = [n for n in names if n.endswith(".whl")]  # the app, built from this workspace
    assert wheel.startswith("wheels/reference_app-")
    assert f"./{wheel}" in (copy / "requirements.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_classroom_workflow_grades_each_public_test_with_its_points(
    lab: Lab, released_labs: dict[str, Path]
) -> None:
    workflow = yaml.safe_load(
        (released_labs[lab.id] / ".github" / "workflows" / "classroom.yml").read_text()
    )
    assert set(workflow["on"]) >= {"push", "repository_dispatch"}
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    # The workflow installs and tests as the README tells students to.
    readme = (released_labs[lab.id] / "README.md").read_text(encoding="utf-8")
    assert INSTALL in readme
    assert RUN_TESTS in readme
    tool_setup = [f"{INSTALL_UV}\n" + "".join(f"{c}\n" for c in lab.setup)] if lab.setup else []
    assert [s["run"] for s in steps if "run" in s] == [INSTALL, *tool_setup]
    assert all(command in readme for command in lab.setup)
    graded = [s for s in steps if s.get("uses") == GRADER]
    public = lab.selected(include_hidden=False)
    assert [s["with"]["test-name"] for s in graded] == [t.name for t in public]
    assert [s["with"]["max-score"] for s in graded] == [t.points for t in public]
    assert all(
        s["with"]["command"] == f"{RUN_TESTS} -q {t.node_id}"
        for s, t in zip(graded, public, strict=True)
    )
    assert sum(s["with"]["max-score"] for s in graded) == lab.max_points("public")
    [reporter] = [s for s in steps if s.get("uses") == REPORTER]
    # Pinned by commit, as the workbook's own workflows are: a tag can move, a commit cannot.
    assert all(
        re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"]) for s in steps if "uses" in s
    )
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graded]
    for step in graded:
        assert (
            f"steps.{step['id']}.outputs.result" in reporter["env"][f"{step['id'].upper()}_RESULTS"]
        )


@pytest.mark.parametrize("lab", [lab for lab in LABS if lab.bundle], ids=lambda lab: lab.id)
def test_a_copy_carries_what_its_tools_and_tests_need(
    lab: Lab, released_labs: dict[str, Path]
) -> None:
    """``[release]``: the install scripts and the files the tests read, at the workbook's paths,
    and the extra packages pinned to the lock like the rest."""
    copy = released_labs[lab.id]
    for path in lab.bundle:
        source, copied = REPO / path, copy / path
        assert copied.exists(), path
        if source.is_dir():
            assert sorted(p.name for p in copied.rglob("*")) == sorted(
                p.name for p in source.rglob("*") if "__pycache__" not in p.parts
            )
    requirements = (copy / "requirements.txt").read_text(encoding="utf-8")
    assert all(f"\n{name}==" in requirements for name in lab.requirements)


def test_a_bundled_path_outside_the_workbook_is_reported(lab_copy: Path) -> None:
    with (lab_copy / "lab.toml").open("a") as manifest:
        manifest.write('\n[release]\nbundle = ["infrastructure/no-such-folder"]\n')
    problems = manifest_problems(find_lab("1", labs_dir=lab_copy.parent))
    assert problems == [
        "[release] bundles infrastructure/no-such-folder, which is not in the workbook"
    ]


def test_actionlint_accepts_the_classroom_workflows(released_labs: dict[str, Path]) -> None:
    actionlint = shutil.which(os.environ.get("ACTIONLINT", "actionlint"))
    if actionlint is None:
        pytest.skip("actionlint not installed (book/tests/test_workflows.py says how)")
    files = [str(c / ".github" / "workflows" / "classroom.yml") for c in released_labs.values()]
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_student_copy_runs_its_public_tests_on_its_own(runs: Runs) -> None:
    lab = find_lab(RELEASED_LAB)
    assert runs.released_run.returncode == 1, runs.released_run.stdout  # the starter fails
    cases = parse_junit(runs.released / "report.xml")
    assert {name for _, name in cases} == {t.name for t in lab.selected(include_hidden=False)}
    assert {visibility for visibility, _ in cases} == {"public"}


def test_release_can_install_the_app_from_another_requirement(tmp_path: Path) -> None:
    """``--app-requirement``: no bundled wheel; the README says what gets installed."""
    copy = tmp_path / "copy"
    result = invoke("release", "01", "--out", str(copy), "--app-requirement", "reference-app==1.0")
    assert result.exit_code == 0, result.output
    assert not (copy / WHEELS).exists()
    requirements = (copy / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "reference-app==1.0" in requirements
    assert not any(".whl" in line for line in requirements)
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert "`reference-app==1.0`" in readme
    assert "wheels/" not in readme


def test_release_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("release", "01", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --- bad input: a message and exit status 2, never a traceback -------------------------------


def _refused(result: Any, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["check", "grade", "release"])
def test_an_unknown_lab_is_refused(command: str, tmp_path: Path) -> None:
    extra = ["--out", str(tmp_path / "out")] if command == "release" else []
    _refused(invoke(command, "99", *extra), "There is no lab '99'")


def test_a_missing_starter_file_is_refused(tmp_path: Path) -> None:
    _refused(invoke("check", "01", "--src", str(tmp_path)), "lab_settings.py is missing")


def test_a_source_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    _refused(invoke("check", "01", "--src", str(tmp_path / "nowhere")), "is not a folder")


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "lab_settings.py").write_text("class LabSettings(Settings):\n    x: int =\n")
    result = invoke("grade", "01", "--src", str(tmp_path), "--out", str(tmp_path / "out"))
    _refused(result, "Syntax error in")
    assert "lab_settings.py, line 2" in result.output
    assert not (tmp_path / "out").exists()


def test_src_and_solution_together_are_refused(tmp_path: Path) -> None:
    _refused(invoke("grade", "01", "--solution", "--src", str(tmp_path)), "not both")


def test_a_module_that_crashes_on_import_fails_each_test_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "lab_settings.py").write_text("raise RuntimeError('half-written module')\n")
    grade = run_lab(find_lab(RELEASED_LAB), tmp_path, include_hidden=False)
    assert grade.score == 0
    assert {r.message for r in grade.results} == {
        "Failed: could not import lab_settings.py from the lab folder: "
        "RuntimeError: half-written module"
    }


def test_tests_that_never_ran_score_nothing_and_say_why() -> None:
    lab = find_lab(RELEASED_LAB)
    cases = {("", "collection"): [Case("error", "tests.public.test_settings: ImportError")]}
    results = score(lab, cases, include_hidden=False)
    assert {r.outcome for r in results} == {"not run"}
    assert all("ImportError" in r.message for r in results)
    assert sum(r.points for r in results) == 0


# --- the manifest ----------------------------------------------------------------------------


@pytest.fixture
def lab_copy(tmp_path: Path) -> Path:
    """A scratch copy of a lab, to edit without touching the real one."""
    copy = tmp_path / "labs" / RELEASED_LAB
    shutil.copytree(find_lab(RELEASED_LAB).path, copy)
    return copy


def test_a_manifest_hint_overrides_the_docstring(lab_copy: Path) -> None:
    with (lab_copy / "lab.toml").open("a") as manifest:
        manifest.write('\n[hints]\ntest_any_host_is_allowed_by_default = "Reread step 1."\n')
    lab = find_lab("1", labs_dir=lab_copy.parent)
    hints = {t.name: t.hint for t in lab.tests}
    assert hints["test_any_host_is_allowed_by_default"] == "Reread step 1."
    assert hints["test_production_refuses_any_host"].startswith("In production")


def test_a_test_without_points_is_reported(lab_copy: Path) -> None:
    with (lab_copy / "tests" / "public" / "test_settings.py").open("a") as tests:
        tests.write("\n\ndef test_forgotten() -> None:\n    pass\n")
    problems = manifest_problems(find_lab("1", labs_dir=lab_copy.parent))
    assert problems == ["public test test_forgotten has no points in lab.toml"]
