"""Run a GitHub workflow job's steps here, in a clean clone, the way GitHub's runner runs them.

A green `.ci/run` proves little about GitHub if the workflow installs or checks something else,
and `act` needs a Docker engine this machine does not have. This is the honest nearest thing:
the job's own ``run:`` steps, in order, each in ``bash --noprofile --norc -eo pipefail`` (the
runner's shell), with ``CI=true``, the workflow/job/step ``env:``, ``working-directory:``, a
``$GITHUB_PATH`` file whose lines are put on ``PATH`` for the steps after it, and the
machine's own PostgreSQL and Redis standing in for the job's service containers.

``uses:`` steps are actions: ``actions/checkout`` is the fresh clone this script makes,
``astral-sh/setup-uv`` is checked for (uv on PATH); caches and artifact uploads are skipped and
listed. Steps guarded by ``if:`` run as a pull request would see them: ``failure()`` steps only
after a failure, push-only steps never.

    python3 .ci/rehearse_workflow.py                       # ci.yml, job "test", clone of HEAD
    python3 .ci/rehearse_workflow.py --dry-run             # print the plan only
    python3 .ci/rehearse_workflow.py --workflow reference_app/.github/workflows/ci.yml \\
        --job test --root reference_app                    # the template's own workflow

Needs PyYAML (the project's environment has it: ``uv run python .ci/rehearse_workflow.py``).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
RUNNER_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
# What a pull request's run sees; the rehearsal never publishes, deploys or pushes.
EVENT_NAME = "pull_request"


@dataclass
class Step:
    """One step of the job, reduced to what the rehearsal needs."""

    name: str
    run: str | None = None
    uses: str | None = None
    condition: str = ""
    working_directory: str = "."
    env: dict[str, str] = field(default_factory=dict)

    def runs_on_pull_request(self, failed: bool) -> bool:
        """Whether GitHub would run this step on a pull request, given earlier failures."""
        condition = self.condition.replace("${{", "").replace("}}", "").strip()
        if "github.event_name == 'push'" in condition or "refs/heads/main" in condition:
            return False
        if "failure()" in condition:
            return failed
        if "always()" in condition or "!cancelled()" in condition:
            return True
        return not failed


def load_steps(workflow: Path, job: str) -> tuple[dict[str, str], list[Step]]:
    """The job's environment (workflow env + job env) and its steps."""
    document: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    if job not in document.get("jobs", {}):
        raise SystemExit(f"{workflow}: no job {job!r}; jobs: {sorted(document['jobs'])}")
    job_doc = document["jobs"][job]
    env = {str(k): str(v) for k, v in {**document.get("env", {}), **job_doc.get("env", {})}.items()}
    default_dir = job_doc.get("defaults", {}).get("run", {}).get("working-directory", ".")
    steps = []
    for index, raw in enumerate(job_doc["steps"], start=1):
        steps.append(
            Step(
                name=raw.get("name") or raw.get("uses") or f"step {index}",
                run=raw.get("run"),
                uses=raw.get("uses"),
                condition=str(raw.get("if", "")),
                working_directory=raw.get("working-directory", default_dir),
                env={str(k): str(v) for k, v in raw.get("env", {}).items()},
            )
        )
    return env, steps


def clone_head(destination: Path) -> Path:
    """A clean clone of this repository's HEAD: what actions/checkout gives the runner."""
    subprocess.run(  # noqa: S603 - fixed git command
        ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(destination)],  # noqa: S607
        check=True,
    )
    return destination


def run_step(step: Step, workspace: Path, env: dict[str, str], github_path: Path) -> int:
    """Run one ``run:`` step as the runner would; return its exit code."""
    extra_path = [line for line in github_path.read_text().splitlines() if line.strip()]
    step_env = {**env, **step.env}
    step_env["PATH"] = os.pathsep.join([*reversed(extra_path), step_env["PATH"]])
    assert step.run is not None
    result = subprocess.run(  # noqa: S603 - the workflow's own script, run as GitHub would
        [*RUNNER_SHELL, "-c", step.run],
        cwd=workspace / step.working_directory,
        env=step_env,
        check=False,
    )
    return result.returncode


def rehearse(workflow: Path, job: str, root: str, dry_run: bool) -> int:
    """Run the job's steps in a fresh clone; print a summary; return 0 if every step passed."""
    job_env, steps = load_steps(workflow, job)
    if dry_run:
        for step in steps:
            kind = f"run: {step.run.splitlines()[0]}" if step.run else f"uses: {step.uses}"
            print(f"{step.name}  [{kind}]  if={step.condition or '-'}")
        return 0
    with tempfile.TemporaryDirectory(prefix="rehearse-") as tmp:
        clone = clone_head(Path(tmp) / "repo")
        workspace = clone / root
        github_path = Path(tmp) / "github_path"
        github_path.write_text("")
        # The rehearsal's own interpreter (e.g. `uv run --with pyyaml`) is not the runner's.
        inherited = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env = {
            **inherited,
            **job_env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": EVENT_NAME,
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_PATH": str(github_path),
        }
        failed = False
        summary: list[str] = []
        for step in steps:
            if not step.runs_on_pull_request(failed):
                summary.append(f"skipped  {step.name} (if: {step.condition})")
                continue
            if step.uses:
                summary.append(f"action   {step.name}: {describe_action(step.uses)}")
                continue
            print(f"\n=== {step.name}", flush=True)
            started = time.monotonic()
            code = run_step(step, workspace, env, github_path)
            seconds = time.monotonic() - started
            summary.append(f"{'ok' if code == 0 else 'FAILED':<8} {step.name} ({seconds:.0f} s)")
            failed = failed or code != 0
        print("\n=== rehearsal of", workflow.name, "job", job)
        print("\n".join(summary))
        return 1 if failed else 0


def describe_action(uses: str) -> str:
    """What the rehearsal does in place of an action it cannot run."""
    if uses.startswith("actions/checkout"):
        return "the fresh clone this rehearsal runs in"
    if uses.startswith("astral-sh/setup-uv"):
        return "uv on PATH" if shutil.which("uv") else "MISSING: uv is not on PATH"
    return "not run here (GitHub-only: cache, artifacts, Pages)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", type=Path, default=REPO / ".github/workflows/ci.yml")
    parser.add_argument("--job", default="test")
    parser.add_argument("--root", default=".", help="folder of the clone the workflow runs in")
    parser.add_argument("--dry-run", action="store_true", help="print the plan only")
    args = parser.parse_args()
    return rehearse(args.workflow.resolve(), args.job, args.root, args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
