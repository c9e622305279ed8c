"""Lab 16 fixtures: the app with the student's change listener, /metrics, and promtool.

The app calls every function in its services' ``change_listeners`` after each committed change;
the lab adds the student's ``count_change`` there, through the app's one seam: build the
services, add the listener, hand them to ``create_app`` (see ``reference_app/services.py``).
prometheus-client keeps metrics in one registry per process, so a counter only ever grows from
test to test: the tests compare ``/metrics`` before and after what they do.
"""

import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from httpx import AsyncClient
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student
from labsupport.tools import run_tool
from prometheus_client.parser import text_string_to_metric_families

from reference_app.main import create_app
from reference_app.services import build_services

pytest_plugins = ["labsupport.plugin"]

METRIC = "content_changes_total"
ALERT = "ContentDeletionSpike"
RULES = "lab_alerts.yml"
RULE_TESTS = "lab_alerts_test.yml"
PROMTOOL_INSTALL = (
    "`sudo apt-get install prometheus` (Debian, Ubuntu: it brings promtool; stop the service "
    "it starts), or Prometheus' release archive from https://prometheus.io/download/; in the "
    "workbook, `bash infrastructure/tools/install-observability-tools.sh`"
)

Changes = dict[frozenset[tuple[str, str]], float]


@pytest.fixture
def lab() -> Any:
    return import_student("lab_metrics")


@pytest.fixture
async def client(lab: Any, database_url: str) -> AsyncIterator[AsyncClient]:
    """A started app whose change listeners include the student's ``count_change``."""
    services = build_services(make_settings(database_url))
    services.change_listeners["lab_metrics"] = lab.count_change
    app: FastAPI = create_app(services=services)
    async with app_client(app) as http:
        yield http


@pytest.fixture
async def author(client: AsyncClient) -> Account:
    return await sign_up(client)


@pytest.fixture
def count_changes(client: AsyncClient) -> Callable[[Awaitable[Any]], Awaitable[Changes]]:
    """Run ``action``; what grew in ``content_changes_total`` meanwhile, by label set.

    Read from ``GET /metrics`` before and after, as Prometheus would, and parsed with
    prometheus-client's own parser. Series that did not move are left out.
    """

    async def scrape() -> dict[frozenset[tuple[str, str]], float]:
        response = await client.get("/metrics")
        assert response.status_code == 200, response.text
        return {
            frozenset(sample.labels.items()): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
            if sample.name == METRIC
        }

    async def count(action: Awaitable[Any]) -> Changes:
        before = await scrape()
        await action
        after = await scrape()
        grown = {labels: value - before.get(labels, 0.0) for labels, value in after.items()}
        return {labels: value for labels, value in grown.items() if value}

    return count


@pytest.fixture
def write(client: AsyncClient, author: Account) -> Callable[..., Awaitable[Any]]:
    """One request to the API as ``author``, which must succeed; its JSON body, if any."""

    async def write(method: str, path: str, body: Any = None) -> Any:
        response = await client.request(method, f"{API}{path}", json=body, headers=author.headers)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    return write


@pytest.fixture
def rule_files(lab_src: Path, tmp_path: Path) -> Path:
    """A scratch folder holding copies of the student's rule file and rule tests."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in (RULES, RULE_TESTS):
        shutil.copyfile(lab_src / name, folder / name)
    return folder


@pytest.fixture
def promtool(rule_files: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run promtool in the folder of the copied rule files."""

    def promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
        return run_tool("promtool", PROMTOOL_INSTALL, *arguments, cwd=rule_files)

    return promtool


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        pytest.fail(f"{path.name} is not valid YAML: {exc}", pytrace=False)


@pytest.fixture
def rule_tests(rule_files: Path) -> dict[str, Any]:
    """The student's rule tests, parsed."""
    return load_yaml(rule_files / RULE_TESTS) or {}


@pytest.fixture
def alert_rules(rule_files: Path) -> list[dict[str, Any]]:
    """The rules named ``ContentDeletionSpike`` in the student's rule file."""
    groups = (load_yaml(rule_files / RULES) or {}).get("groups") or []
    return [r for g in groups for r in g.get("rules") or [] if r.get("alert") == ALERT]


@pytest.fixture
def alert_cases(
    rule_files: Path, promtool: Callable[..., subprocess.CompletedProcess[str]]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run promtool test cases of the grader's own against the student's rule file."""

    def run(*cases: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        suite = {"rule_files": [RULES], "evaluation_interval": "1m", "tests": list(cases)}
        (rule_files / "grader_test.yml").write_text(yaml.safe_dump(suite), encoding="utf-8")
        return promtool("test", "rules", "grader_test.yml")

    return run
