"""Grading tests written by students: run them against the real app and against mutants.

A test suite is good when it passes on a correct app and fails on a broken one. A *mutant* is
the real app with one small, realistic bug planted: a service function swapped by
``monkeypatch``, a setting changed, or a variant of a route put in front of the app's own. No
mutant is a copy of the app; each is ``create_app`` plus one change, undone after the test.

:func:`run_student_tests` runs the student's test file once, with pytest, inside this process
(as pytester's ``runpytest_inprocess`` does: no second start-up of the app). Every test of theirs
that takes the ``client`` fixture runs once per app variant, the real app first; once a test has
failed on a mutant ("caught" it), the mutant's later runs are skipped to save time.
"""

from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from labsupport.app import app_client, make_settings
from reference_app.core import security
from reference_app.main import create_app

REAL_APP = "real-app"
CLIENT_FIXTURE = "client"
# Argon2 with its memory-hard defaults costs a tenth of a second or more per sign-up, and a
# student's suite signs users up in nearly every test, once per variant. Like Django's test
# runner with its fast hasher, these runs hash with the cheapest parameters: no response
# changes, as no answer of the app shows a hash.
FAST_PASSWORD_HASH = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


def _plant_nothing(_monkeypatch: pytest.MonkeyPatch, _app: FastAPI) -> None:
    """A mutant that is only a settings change."""


@dataclass(frozen=True)
class Mutant:
    """One planted bug: what a bug report would say, and how to plant it in a fresh app."""

    bug: str
    plant: Callable[[pytest.MonkeyPatch, FastAPI], None] = _plant_nothing
    settings: Mapping[str, object] = field(default_factory=dict)


@dataclass
class SuiteRun:
    """What happened to the student's tests on each app variant."""

    tests: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    collection_errors: list[str] = field(default_factory=list)

    def assert_passes_on_the_real_app(self) -> None:
        assert not self.collection_errors, (
            f"your test file could not be loaded: {self.collection_errors[0]}"
        )
        assert self.tests[REAL_APP], (
            f"none of your tests takes the `{CLIENT_FIXTURE}` fixture, so none talks to the app"
        )
        failed = "; ".join(f"{name}: {why}" for name, why in self.failures[REAL_APP].items())
        assert not failed, f"on the real app, which has no bug, tests failed: {failed}"

    def assert_catches(self, name: str, mutant: Mutant) -> None:
        self.assert_passes_on_the_real_app()
        assert self.failures[name], (
            f"the bug went unnoticed: all {len(self.tests[name])} of your tests passed on an app "
            f"where {mutant.bug}"
        )


class VariantPlugin:
    """The pytest plugin of the inner run: the ``client`` fixture and the bookkeeping."""

    def __init__(self, mutants: Mapping[str, Mutant], database_template: Path) -> None:
        self.mutants = dict(mutants)
        self.database_template = database_template
        self.run = SuiteRun()
        self.variant_of: dict[str, str] = {}  # test node id -> variant
        self.name_of: dict[str, str] = {}  # test node id -> the test's name, without variant

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "lab_variant" in metafunc.fixturenames:
            variants = [REAL_APP, *self.mutants]
            metafunc.parametrize("lab_variant", variants, ids=variants)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            callspec = getattr(item, "callspec", None)
            params = callspec.params if callspec else {}
            variant = params.get("lab_variant", REAL_APP)
            self.variant_of[item.nodeid] = variant
            self.name_of[item.nodeid] = _without_variant(item.name, variant)
            if "lab_variant" in params:
                self.run.tests[variant].append(self.name_of[item.nodeid])

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        variant = self.variant_of.get(item.nodeid, REAL_APP)
        if variant != REAL_APP and self.run.failures[variant]:
            pytest.skip(f"{variant} is caught already")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and report.nodeid in self.variant_of:
            variant, name = self.variant_of[report.nodeid], self.name_of[report.nodeid]
            self.run.failures[variant].setdefault(name, _reason(report))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.run.collection_errors.append(_reason(report))

    @pytest.fixture
    async def client(
        self, lab_variant: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> AsyncIterator[AsyncClient]:
        """A client of a fresh app on a fresh database: the real one or a mutant."""
        database = tmp_path / "app.db"
        database.write_bytes(self.database_template.read_bytes())
        mutant = self.mutants.get(lab_variant)
        overrides = dict(mutant.settings) if mutant else {}
        app = create_app(make_settings(f"sqlite+aiosqlite:///{database}", **overrides))
        if mutant:
            mutant.plant(monkeypatch, app)
        async with app_client(app) as http:
            yield http


def _without_variant(name: str, variant: str) -> str:
    """``test_x[real-app]`` -> ``test_x``; ``test_x[3-real-app]`` -> ``test_x[3]``."""
    for before, after in [(f"[{variant}]", ""), (f"-{variant}]", "]"), (f"[{variant}-", "[")]:
        name = name.replace(before, after)
    return name.replace(f"-{variant}-", "-")


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The one line that says why: the exception pytest reports (for a file that cannot be
    imported, the import's own error rather than pytest's "ImportError while importing")."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    line = errors[-1] if errors else next((x for x in text.splitlines() if x.strip()), text)
    line = line.strip()
    return line if len(line) <= 200 else line[:199] + "…"


def run_student_tests(
    test_file: Path, mutants: Mapping[str, Mutant], database_template: Path, rootdir: Path
) -> SuiteRun:
    """Run ``test_file`` with pytest in this process, against the real app and ``mutants``."""
    plugin = VariantPlugin(mutants, database_template)
    config = rootdir / "pytest.ini"
    config.write_text("[pytest]\n", encoding="utf-8")
    arguments = [
        str(test_file),
        "-c",
        str(config),
        "--rootdir",
        str(rootdir),
        "--import-mode=importlib",
        "-p",
        "pytest_asyncio.plugin",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "-qq",
    ]
    with pytest.MonkeyPatch.context() as patch:
        # Only the plugins named above: the outer run may have loaded them already.
        patch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        patch.setattr(security, "_password_hash", FAST_PASSWORD_HASH)
        pytest.main(arguments, plugins=[plugin])
    return plugin.run
