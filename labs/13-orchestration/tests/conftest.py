"""Lab 13 fixtures: the project's Helm chart rendered with production's values and the
student's staging overlay, and the tools that check the rendered objects.

The chart is the workbook's own, ``infrastructure/helm/reference-app``, found in a folder above
the lab (or at ``$WORKBOOK_CHART``): the overlay changes the chart's values, never a copy of it.
Rendering happens once per run; a render that fails, or a missing tool, fails each test that
needs it with the reason, rather than breaking the run.
"""

import functools
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from labsupport.tools import find_tool, run_tool

pytest_plugins = ["labsupport.plugin"]

RELEASE = "reference-app"
NAMESPACE = "staging"
OVERLAY = "values-staging.yaml"
CHART_IN_WORKBOOK = Path("infrastructure") / "helm" / "reference-app"
CHART_VARIABLE = "WORKBOOK_CHART"
INSTALL = {
    "helm": "https://helm.sh/docs/intro/install/ (a single binary)",
    "kubernetes-validate": "`pip install kubernetes-validate`",
    "checkov": "`pip install checkov` (in a virtual environment of its own: it pins many packages)",
}
WORKBOOK_INSTALL = "; in the workbook, `bash infrastructure/tools/install-container-tools.sh`"


def install_hint(tool: str) -> str:
    return INSTALL[tool] + WORKBOOK_INSTALL


def find_chart(start: Path) -> Path | None:
    """``$WORKBOOK_CHART``, else the workbook's chart in a folder above ``start``."""
    if os.environ.get(CHART_VARIABLE):
        return Path(os.environ[CHART_VARIABLE]).resolve()
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CHART_IN_WORKBOOK / "Chart.yaml").is_file():
            return folder / CHART_IN_WORKBOOK
    return None


@dataclass
class Render:
    """``helm template`` of the chart with production's values, then the overlay."""

    chart: Path | None
    arguments: list[str]  # the values files and the namespace, for helm lint and template
    path: Path | None = None  # the rendered manifests, one YAML file
    problem: str = ""  # why there is nothing rendered
    objects: list[dict[str, Any]] = field(default_factory=list)

    def require(self) -> list[dict[str, Any]]:
        """The rendered objects; fails the test when the chart could not be rendered."""
        if self.problem:
            pytest.fail(self.problem, pytrace=False)
        return self.objects

    def one(self, kind: str, component: str) -> dict[str, Any]:
        """The object of ``kind`` for a component of the app (``api``, ``worker``)."""
        found = [
            o
            for o in self.require()
            if o["kind"] == kind
            and o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component
        ]
        assert len(found) == 1, f"expected one {kind} for the {component}, rendered {len(found)}"
        return found[0]

    def all(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.require() if o["kind"] == kind]


@pytest.fixture(scope="session")
def render(lab_src: Path, pytestconfig: pytest.Config, tmp_path_factory: Any) -> Render:
    chart = find_chart(pytestconfig.rootpath)
    overlay = lab_src / OVERLAY
    if chart is None:
        return Render(
            None,
            [],
            problem=f"this lab renders the workbook's Helm chart, {CHART_IN_WORKBOOK}, which is "
            f"not in a folder above the lab: set {CHART_VARIABLE} to its path in a checkout of "
            "the workbook",
        )
    arguments = ["-f", str(chart / "values-prod.yaml"), "-f", str(overlay)]
    arguments += ["--namespace", NAMESPACE]
    rendered = Render(chart, arguments)
    helm = find_tool("helm")
    if helm is None:
        rendered.problem = (
            f"this lab is graded with helm, which is not installed: {install_hint('helm')}"
        )
        return rendered
    result = subprocess.run(
        [helm, "template", RELEASE, str(chart), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        rendered.problem = f"helm template fails with your overlay:\n{result.stderr.strip()}"
        return rendered
    rendered.path = tmp_path_factory.mktemp("rendered") / "staging.yaml"
    rendered.path.write_text(result.stdout, encoding="utf-8")
    rendered.objects = [o for o in yaml.safe_load_all(result.stdout) if o]
    return rendered


@pytest.fixture(scope="session")
def tool() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run one of the grading tools; a missing one fails the test with how to install it."""

    def run(name: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        return run_tool(name, install_hint(name), *arguments)

    return run


@pytest.fixture(scope="session")
def checkov(render: Render) -> Callable[[], dict[str, Any]]:
    """checkov's Kubernetes report on the render, run once (it takes seconds to start)."""

    @functools.cache
    def report() -> dict[str, Any]:
        render.require()
        assert render.path is not None
        result = run_tool(
            "checkov",
            install_hint("checkov"),
            "--file",
            str(render.path),
            "--framework",
            "kubernetes",
            "--output",
            "json",
            "--skip-download",
            "--quiet",
        )
        assert result.returncode in (0, 1), f"checkov could not run:\n{result.stderr}"
        found = json.loads(result.stdout)
        return dict(found[0] if isinstance(found, list) else found)

    return report
