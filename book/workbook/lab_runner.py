"""Run a lab's tests against some code and score the result.

The tests run in their own ``python -m pytest`` process: a student's crash, hang or stray
``sys.exit`` cannot take the command down with it, and the run has nothing of this process's
state. Per-test outcomes come from pytest's JUnit XML report, a format meant for machines,
rather than from its console output, which is meant for people and changes between versions.

The run uses the labs' own ``pytest.ini`` (``-c``) with ``--rootdir`` at the lab, so the
workbook's configuration (coverage thresholds, notebook collection) never applies.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workbook.lab_catalog import Lab, LabError, check_source

TIMEOUT_SECONDS = 300
MESSAGE_MAX_LENGTH = 300
# Variables that would change what the tests see (APP_*: the app's settings) or slow them down
# (coverage measuring the child process when the workbook's own tests run under pytest-cov).
ISOLATED_PREFIXES = ("APP_", "COV_CORE_", "COVERAGE_")
SETUP_FAILURE = re.compile(r'failed on (setup|teardown) with "(?P<message>.*)"')


@dataclass(frozen=True)
class ScoredTest:
    name: str
    visibility: str
    outcome: str  # passed, failed, error, skipped, not run
    points: int
    max_points: int
    message: str
    hint: str

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass(frozen=True)
class Grade:
    lab_id: str
    title: str
    source: str
    include_hidden: bool
    results: tuple[ScoredTest, ...]
    output: str  # pytest's own report, for people who want the tracebacks

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0

    def failed(self, visibility: str | None = None) -> list[ScoredTest]:
        return [r for r in self.results if not r.passed and visibility in (None, r.visibility)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab_id,
            "title": self.title,
            "source": self.source,
            "hidden_tests_included": self.include_hidden,
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "tests": [asdict(result) for result in self.results],
        }

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write ``<lab>.json`` and ``<lab>.junit.xml`` into ``out_dir``; return their paths."""
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path = out_dir / f"{self.lab_id}.json"
        json_path.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")
        xml_path = out_dir / f"{self.lab_id}.junit.xml"
        xml_path.write_text(junit_report(self), encoding="utf-8")
        return json_path, xml_path


def run_lab(
    lab: Lab, src: Path, *, include_hidden: bool, timeout: float = TIMEOUT_SECONDS
) -> Grade:
    """Run the lab's public (and optionally hidden) tests against the code in ``src``."""
    src = src.resolve()
    check_source(lab, src)
    for module in ("pytest", "pytest_asyncio"):
        if importlib.util.find_spec(module) is None:
            raise LabError(f"{module} is not installed here: run `uv sync` in the workbook.")
    visibilities = ["public", "hidden"] if include_hidden else ["public"]
    with tempfile.TemporaryDirectory(prefix="workbook-lab-") as scratch:
        report = Path(scratch) / "junit.xml"
        command = pytest_command(lab, src, report, visibilities)
        try:
            completed = subprocess.run(  # noqa: S603 - our own interpreter running pytest
                command,
                cwd=lab.path,
                env=_test_environment(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise LabError(
                f"The tests did not finish within {timeout:.0f} s: is there an endless loop, "
                "or a request that never returns?"
            ) from None
        output = completed.stdout + completed.stderr
        if not report.exists() or completed.returncode not in (0, 1):
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise LabError(f"pytest could not run the tests (exit {completed.returncode}):\n{tail}")
        cases = parse_junit(report)
    return Grade(
        lab_id=lab.id,
        title=lab.title,
        source=str(src),
        include_hidden=include_hidden,
        results=score(lab, cases, include_hidden),
        output=output,
    )


def pytest_command(lab: Lab, src: Path, report: Path, visibilities: list[str]) -> list[str]:
    """The command that runs the given test folders of ``lab`` against ``src``."""
    return [
        sys.executable,
        "-m",
        "pytest",
        *(str(lab.tests_dir(v)) for v in visibilities),
        "-c",
        str(lab.shared / "pytest.ini"),
        "--rootdir",
        str(lab.path),
        "--confcutdir",
        str(lab.path),
        # Plugins are not auto-loaded (see _test_environment): name the one the labs use.
        "-p",
        "pytest_asyncio.plugin",
        "-p",
        "no:cacheprovider",
        "--lab-src",
        str(src),
        "--junitxml",
        str(report),
        "-o",
        "junit_family=xunit2",
        "--tb=short",
        "-q",
    ]


def _test_environment() -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(ISOLATED_PREFIXES)
    }
    # Only the plugins the labs use: the workbook's own (nbmake, pytest-cov) cost a second
    # of start-up per run and have nothing to do with a lab.
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # No __pycache__ folders left in a student's (or the repository's) lab folders.
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


@dataclass(frozen=True)
class Case:
    """One <testcase> of pytest's report."""

    outcome: str
    message: str


def parse_junit(path: Path) -> dict[tuple[str, str], list[Case]]:
    """Cases by (visibility, test function); collection errors under ("", "collection")."""
    cases: dict[tuple[str, str], list[Case]] = defaultdict(list)
    # pytest's own file, written by the run just made: not untrusted input.
    for testcase in ET.parse(path).getroot().iter("testcase"):  # noqa: S314  # nosec B314
        outcome, message = "passed", ""
        for child in testcase:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = _first_line(child.get("message") or child.text or "")
                break
        classname = testcase.get("classname", "")
        name = testcase.get("name", "")
        if not classname:  # a file that could not be collected: name is its module path
            cases[("", "collection")].append(Case("error", f"{name}: {message}"))
            continue
        visibility = classname.split(".")[1] if classname.count(".") >= 2 else ""
        function, _, parameters = name.partition("[")
        if parameters:
            message = f"[{parameters.rstrip(']')}] {message}"
        cases[(visibility, function)].append(Case(outcome, message))
    return cases


def score(
    lab: Lab, cases: dict[tuple[str, str], list[Case]], include_hidden: bool
) -> tuple[ScoredTest, ...]:
    """A test earns its points when every case of it (each parameter) passed."""
    collection_errors = [case.message for case in cases.get(("", "collection"), [])]
    results = []
    for test in lab.selected(include_hidden):
        runs = cases.get((test.visibility, test.name), [])
        failed = [case for case in runs if case.outcome != "passed"]
        if not runs:
            outcome = "not run"
            message = "not run" + (
                f": a test file could not be loaded: {collection_errors[0]}"
                if collection_errors
                else ""
            )
        elif failed:
            outcome, message = failed[0].outcome, failed[0].message
        else:
            outcome, message = "passed", ""
        points = test.points if outcome == "passed" else 0
        hint = "" if outcome == "passed" else test.hint
        results.append(
            ScoredTest(test.name, test.visibility, outcome, points, test.points, message, hint)
        )
    return tuple(results)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    # A fixture's failure arrives wrapped: 'failed on setup with "Failed: could not import..."'.
    wrapped = SETUP_FAILURE.fullmatch(line)
    line = wrapped["message"] if wrapped else line
    return line if len(line) <= MESSAGE_MAX_LENGTH else line[: MESSAGE_MAX_LENGTH - 1] + "…"


def junit_report(grade: Grade) -> str:
    """The grade as JUnit XML, with each test's points: what CI systems and LMSs import."""
    suite = ET.Element(
        "testsuite",
        name=grade.lab_id,
        tests=str(len(grade.results)),
        failures=str(sum(r.outcome == "failed" for r in grade.results)),
        errors=str(sum(r.outcome in ("error", "not run") for r in grade.results)),
        skipped=str(sum(r.outcome == "skipped" for r in grade.results)),
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in [("score", grade.score), ("max_score", grade.max_score)]:
        ET.SubElement(properties, "property", name=name, value=str(value))
    for result in grade.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"{grade.lab_id}.{result.visibility}", name=result.name
        )
        case_properties = ET.SubElement(case, "properties")
        ET.SubElement(case_properties, "property", name="points", value=str(result.points))
        ET.SubElement(case_properties, "property", name="max_points", value=str(result.max_points))
        tag = {"passed": None, "skipped": "skipped", "failed": "failure"}.get(
            result.outcome, "error"
        )
        if tag is not None:
            ET.SubElement(case, tag, message=result.message).text = result.hint
    suites = ET.Element("testsuites", name=f"lab {grade.lab_id}")
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
