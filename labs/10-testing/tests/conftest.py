"""Lab 10 fixtures: the student's tests, run once against the real app and every mutant.

The mutants are defined next to the tests that grade them (``MUTANTS`` in each test file), so
the hidden ones never reach a student copy. The run covers the mutants of every test file
collected, once per session; each lab test then reads its verdict from it.
"""

from pathlib import Path

import pytest
from labsupport.mutation import Mutant, SuiteRun, run_student_tests

pytest_plugins = ["labsupport.plugin"]

STUDENT_FILE = "test_todo_rules.py"


@pytest.fixture(scope="session")
def suite(
    request: pytest.FixtureRequest,
    lab_src: Path,
    migrated_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> SuiteRun:
    """The student's tests run on the real app and on the mutants of the collected tests."""
    mutants: dict[str, Mutant] = {}
    for item in request.session.items:
        mutants.update(getattr(item.module, "MUTANTS", {}))
    return run_student_tests(
        lab_src / STUDENT_FILE, mutants, migrated_template, tmp_path_factory.mktemp("student")
    )
