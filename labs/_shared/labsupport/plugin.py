"""The pytest plugin every lab loads: ``pytest_plugins = ["labsupport.plugin"]`` in its conftest.

It decides whose code the tests run. ``--lab-src DIR`` (what ``workbook lab`` passes: the
starter, the solution, or a student's copy) wins, then ``$LAB_SRC``, then ``starter/`` at the
root of the lab. That directory goes first on ``sys.path``, so ``import lab_settings`` finds the
student's module and nothing else.

Students' code is imported inside each test with :func:`labsupport.student.import_student`,
never at the top of a test file: a broken module then fails every test with one readable
message instead of stopping the whole run at collection.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

SOURCE_VARIABLE = "LAB_SRC"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--lab-src",
        default=None,
        metavar="DIR",
        help=f"Folder with the code under test (default: ${SOURCE_VARIABLE}, else starter/).",
    )


def lab_source(config: pytest.Config) -> Path:
    """The folder whose modules the tests import."""
    given = config.getoption("lab_src") or os.environ.get(SOURCE_VARIABLE)
    return Path(given).resolve() if given else config.rootpath / "starter"


def pytest_configure(config: pytest.Config) -> None:
    sys.path.insert(0, str(lab_source(config)))


def pytest_report_header(config: pytest.Config) -> str:
    return f"lab code under test: {lab_source(config)}"


@pytest.fixture(scope="session")
def lab_src(pytestconfig: pytest.Config) -> Path:
    """The folder with the code under test (some labs read files from it, e.g. migrations)."""
    return lab_source(pytestconfig)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``APP_*`` variable or ``.env`` file of this machine changes what a test sees."""
    for name in list(os.environ):
        if name.startswith("APP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the app's migrations applied, made once per run and copied per test."""
    # Imported here: Alembic is only loaded by the labs whose tests use a database.
    from labsupport.migrations import upgrade

    template = tmp_path_factory.mktemp("database") / "template.db"
    upgrade(template, "head")
    return template


@pytest.fixture
def database_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated database for one test (an async URL, as the app expects)."""
    copy = tmp_path / "lab.db"
    shutil.copyfile(migrated_template, copy)
    return f"sqlite+aiosqlite:///{copy}"
