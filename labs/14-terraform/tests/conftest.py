"""Lab 14 fixtures: the student's Terraform, read by Terraform itself, python-hcl2 and checkov.

Nothing here needs a cloud account or a provider download:

- the validation rules are run by Terraform: ``terraform plan`` on a scratch module holding only
  the student's ``variables.tf`` (variables need no provider) evaluates every ``validation``
  block against the values a test passes, and reports each refusal with its ``error_message``;
- ``terraform fmt -check`` needs no provider either;
- the bucket is read as data with python-hcl2, as lesson 14 reads the workbook's modules;
- checkov scans the student's files once per run. It is slow to start (several seconds), so it
  starts in the background with the run and the tests that need its report wait for it.

``terraform validate`` would need the Google provider's plugin: the workbook's CI runs it on
its own modules (``.github/workflows/terraform.yml``), not here.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from labsupport.tools import require_tool

pytest_plugins = ["labsupport.plugin"]

FILES = ("variables.tf", "main.tf")
TERRAFORM_INSTALL = (
    "`bash infrastructure/tools/install-terraform-tools.sh` in the workbook, or "
    "https://developer.hashicorp.com/terraform/install"
)
CHECKOV_INSTALL = (
    "`bash infrastructure/tools/install-terraform-tools.sh` in the workbook, or "
    "`pipx install checkov`"
)
TIMEOUT_SECONDS = 180
GOOD_VALUES: dict[str, Any] = {
    "bucket_name": "workbook-prod-exports",
    "location": "EU",
    "retention_days": 30,
    "log_bucket": "workbook-prod-access-logs",
    "labels": {"app": "reference-app"},
}
"""Values every rule accepts: a test changes one of them and looks at what Terraform says."""


@dataclass(frozen=True)
class Verdict:
    """What ``terraform plan`` said about one set of variable values."""

    refused: dict[str, list[str]]  # variable -> the error messages of its failed validations
    other_errors: list[str]  # anything else that went wrong (a syntax error, a type error)

    @property
    def accepted(self) -> bool:
        return not self.refused and not self.other_errors


class Terraform:
    """``terraform`` on a scratch module holding a copy of the student's ``variables.tf``."""

    def __init__(self, binary: str, module: Path) -> None:
        self.binary = binary
        self.module = module
        self.runs = 0

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        return subprocess.run(
            [self.binary, *arguments],
            cwd=self.module,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )

    def check(self, **changes: Any) -> Verdict:
        """Plan with ``GOOD_VALUES`` changed by ``changes``; which validations refused what."""
        self.runs += 1
        values = self.module / f"case-{self.runs}.tfvars.json"
        values.write_text(json.dumps({**GOOD_VALUES, **changes}))
        result = self.run(
            "plan", "-input=false", "-lock=false", "-refresh=false", "-json",
            f"-var-file={values.name}",
        )  # fmt: skip
        refused: dict[str, list[str]] = {}
        other_errors: list[str] = []
        for line in result.stdout.splitlines():
            message = json.loads(line) if line.startswith("{") else {}
            diagnostic = message.get("diagnostic", {})
            if diagnostic.get("severity") != "error":
                continue
            detail = diagnostic.get("detail", "").split("\n\nThis was checked by")[0].strip()
            variables = [
                value["traversal"].removeprefix("var.")
                for value in diagnostic.get("snippet", {}).get("values", [])
                if value.get("traversal", "").startswith("var.")
            ]
            if diagnostic.get("summary") == "Invalid value for variable" and variables:
                refused.setdefault(variables[0], []).append(detail)
            else:
                other_errors.append(f"{diagnostic.get('summary')}: {detail}")
        if result.returncode != 0 and not refused and not other_errors:
            other_errors.append(result.stderr.strip()[-500:] or f"exit {result.returncode}")
        return Verdict(refused, other_errors)

    def accepts(self, **changes: Any) -> bool:
        """True if every validation accepts the values; a broken file fails the test."""
        verdict = self.check(**changes)
        assert not verdict.other_errors, (
            f"Terraform could not check the values: {verdict.other_errors}"
        )
        return verdict.accepted

    def refusals(self, variable: str, value: Any) -> list[str]:
        """The messages of ``variable``'s validations that refuse ``value`` (none: accepted)."""
        verdict = self.check(**{variable: value})
        assert not verdict.other_errors, (
            f"Terraform could not check the values: {verdict.other_errors}"
        )
        return verdict.refused.get(variable, [])


@pytest.fixture(scope="session")
def terraform(lab_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    module = tmp_path_factory.mktemp("variables-only")
    shutil.copyfile(lab_src / "variables.tf", module / "variables.tf")
    return Terraform(require_tool("terraform", TERRAFORM_INSTALL), module)


@pytest.fixture(scope="session")
def parsed(lab_src: Path) -> dict[str, Any]:
    """The student's files as data (python-hcl2, as lesson 14 reads the workbook's modules)."""
    try:
        import hcl2
    except ImportError:
        pytest.fail("this lab needs python-hcl2: pip install python-hcl2", pytrace=False)
    options = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False)
    blocks: dict[str, Any] = {}
    for name in FILES:
        try:
            data = hcl2.loads(
                (lab_src / name).read_text(encoding="utf-8"), serialization_options=options
            )
        except Exception as exc:  # python-hcl2 raises several kinds of parse errors
            pytest.fail(f"{name} does not parse: {exc}", pytrace=False)
        for kind, items in without_metadata(data).items():
            blocks.setdefault(kind, []).extend(items)
    return blocks


def without_metadata(value: Any) -> Any:
    """Drop python-hcl2's bookkeeping keys (__is_block__ ...)."""
    if isinstance(value, dict):
        return {k: without_metadata(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [without_metadata(item) for item in value]
    return value


@pytest.fixture
def bucket(parsed: dict[str, Any]) -> dict[str, Any]:
    """The body of ``resource "google_storage_bucket" "exports"``."""
    found = [
        instances["exports"]
        for block in parsed.get("resource", [])
        for kind, instances in block.items()
        if kind == "google_storage_bucket" and "exports" in instances
    ]
    assert found, 'main.tf has no resource "google_storage_bucket" "exports"'
    body: dict[str, Any] = found[0]
    return body


class Checkov:
    """One checkov scan of the student's files, started at once, read when a test needs it."""

    bucket_checks = frozenset(
        {"CKV_GCP_29", "CKV_GCP_62", "CKV_GCP_63", "CKV_GCP_78", "CKV_GCP_114"}
    )
    """checkov's checks of a google_storage_bucket (access, public access, logs, versioning)."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.output = folder.parent / "checkov.json"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "--directory", str(folder), "--framework", "terraform", "--compact",
                 "--output", "json", "--skip-download"],
                stdout=out,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                # Offline: no look-ups of guidelines or policies on Prisma Cloud.
                env={**os.environ, "BC_SKIP_MAPPING": "TRUE",
                     "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
            )  # fmt: skip

    def results(self) -> dict[str, list[dict[str, Any]]]:
        """``{"passed": [...], "failed": [...], "skipped": [...]}``, each check as checkov says."""
        self.process.wait(timeout=TIMEOUT_SECONDS)
        try:
            report = json.loads(self.output.read_text())
        except ValueError:
            pytest.fail(f"checkov wrote no report (exit {self.process.returncode})", pytrace=False)
        reports = report if isinstance(report, list) else [report]
        scanned = [r for r in reports if r.get("check_type") == "terraform"]
        if not scanned:  # checkov found no resource at all
            return {"passed": [], "failed": [], "skipped": []}
        return {
            outcome: scanned[0]["results"][f"{outcome}_checks"]
            for outcome in ("passed", "failed", "skipped")
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def checkov(lab_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checkov]:
    """Started with the run (autouse), on a copy of the graded files and nothing else."""
    folder = tmp_path_factory.mktemp("scan") / "module"
    folder.mkdir()
    for name in FILES:
        shutil.copyfile(lab_src / name, folder / name)
    scan = Checkov(require_tool("checkov", CHECKOV_INSTALL), folder)
    yield scan
    scan.stop()
