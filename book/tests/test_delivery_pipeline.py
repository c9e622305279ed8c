"""The delivery pipeline is built as designed: least privilege, pinned actions, image, deploy,
Terraform and release each doing what lesson 11 says they do.

GitHub only reports a wrong trigger, a missing environment or a rollback that can never run
after the fact, in production. These tests read the workflows as data (and, where a command
can run here, run it: the Helm command the deploy job runs renders the chart; the smoke test's
settings start the app's production configuration; the release job's `cz bump` cuts real
releases in a throwaway repository) so the design cannot drift unnoticed.

Run alone: ``uv run pytest book/tests/test_delivery_pipeline.py --no-cov``
"""

import functools
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
DEPENDABOT = REPO / ".github" / "dependabot.yml"
# `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`: the SHA is what runs, the comment is for people
# and for Dependabot, which moves both.
PINNED = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<tag>\S+))?")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
# Actions whose tag's commit could not be verified when they were added, so they stay on a
# version tag. Empty: every action used is pinned.
NOT_PINNED: set[str] = set()


def _load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8")))


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    return dict(workflow.get("on", workflow.get(True)) or {})


def _workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def _step(job: dict[str, Any], name_start: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if str(s.get("name", "")).startswith(name_start)]
    return dict(step)


def _step_using(job: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]
    return dict(step)


# --- Least privilege and pinning ----------------------------------------------------------


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda path: path.name)
def test_every_job_declares_its_own_permissions(path: Path) -> None:
    """A job without `permissions` inherits the workflow's: the next job added gets them too."""
    jobs = _load(path.name)["jobs"]
    assert [name for name, job in jobs.items() if "permissions" not in job] == []


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda path: path.name)
def test_no_workflow_grants_a_write_permission_to_all_its_jobs(path: Path) -> None:
    top = _load(path.name)["permissions"]
    assert "write" not in json.dumps(top), f"{path.name}: move write scopes to the job needing them"


def _remote_uses() -> list[tuple[str, re.Match[str]]]:
    found = []
    for path in _workflow_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if (match := PINNED.search(line)) and not match["action"].startswith("./"):
                found.append((path.name, match))
    return found


def test_every_action_is_pinned_by_commit_sha_with_its_version_beside_it() -> None:
    """A tag can be moved to other code by whoever controls the action; a commit SHA cannot."""
    uses = _remote_uses()
    assert len(uses) > 20, "the workflows use more actions than this found"
    unpinned = [
        f"{file}: {m['action']}@{m['ref']}"
        for file, m in uses
        if m["action"] not in NOT_PINNED and not (FULL_SHA.match(m["ref"]) and m["tag"])
    ]
    assert unpinned == []


def test_one_action_runs_at_one_commit_everywhere() -> None:
    commits: dict[str, set[str]] = {}
    for _file, match in _remote_uses():
        repository = "/".join(match["action"].split("/")[:2])  # codeql-action/init -> its repo
        commits.setdefault(repository, set()).add(match["ref"])
    assert {action: refs for action, refs in commits.items() if len(refs) > 1} == {}


# --- Image ----------------------------------------------------------------------------------


def test_the_image_is_built_run_and_scanned_before_anything_can_push_it() -> None:
    image = _load("image.yml")
    build, publish = image["jobs"]["build"], image["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["needs"] == "build"
    assert publish["if"] == "inputs.push"
    scan = _step_using(build, "aquasecurity/trivy-action")["with"]
    assert scan["severity"] == "HIGH,CRITICAL"
    assert scan["exit-code"] == "1"


def test_the_smoke_test_waits_for_readiness_of_the_built_image() -> None:
    smoke = _step(_load("image.yml")["jobs"]["build"], "Smoke test (production")["run"]
    assert "http://127.0.0.1:8000/api/v1/health/ready" in smoke
    assert "reference-app migrate" in smoke
    assert "--read-only" in smoke
    assert "--cap-drop ALL" in smoke


def test_the_smoke_tests_settings_pass_the_apps_production_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Settings the app refuses would fail every image build, in GitHub, after a push."""
    from reference_app.core.config import Environment, Settings

    smoke = _step(_load("image.yml")["jobs"]["build"], "Smoke test (production")["run"]
    pairs = re.findall(r"-e (APP_\w+)=(\"[^\"]*\"|'[^']*'|\S+)", smoke)
    assert len(pairs) >= 5, pairs
    for name, value in pairs:
        value = value.strip("'\"")
        monkeypatch.setenv(name, secrets.token_urlsafe(48) if "$(secret)" in value else value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.environment is Environment.PRODUCTION
    assert not settings.is_sqlite


def test_the_pushed_image_carries_sbom_and_provenance_and_is_signed_by_digest() -> None:
    publish = _load("image.yml")["jobs"]["publish"]
    assert publish["permissions"]["packages"] == "write"
    assert publish["permissions"]["id-token"] == "write"
    push = _step(publish, "Push with SBOM")["with"]
    assert push["push"] is True
    assert push["sbom"] is True
    assert push["provenance"] == "mode=max"
    sign = _step(publish, "Sign")
    assert "cosign sign" in sign["run"]
    assert sign["env"]["IMAGE"].endswith("@${{ steps.push.outputs.digest }}")
    assert "cosign verify" in _step(publish, "Verify")["run"]


# --- Deploy ---------------------------------------------------------------------------------


def test_deploys_follow_main_to_staging_and_version_tags_to_production() -> None:
    deploy = _load("deploy.yml")
    assert _triggers(deploy) == {"push": {"branches": ["main"], "tags": ["v*.*.*"]}}
    jobs = deploy["jobs"]
    assert jobs["image"]["uses"] == "./.github/workflows/image.yml"
    assert jobs["image"]["with"]["push"] is True
    staging, production = jobs["deploy-staging"], jobs["deploy-production"]
    assert staging["if"] == "github.ref == 'refs/heads/main'"
    assert production["if"] == "startsWith(github.ref, 'refs/tags/v')"
    for job, environment in ((staging, "staging"), (production, "production")):
        assert job["uses"] == "./.github/workflows/helm-deploy.yml"
        assert job["needs"] == "image"
        assert job["with"]["environment"] == environment
        assert job["with"]["digest"] == "${{ needs.image.outputs.digest }}"
        assert job["with"]["frontend-digest"] == "${{ needs.image.outputs.frontend-digest }}"


def test_both_images_are_built_smoke_tested_and_published_and_each_digest_reaches_the_deploy() -> (
    None
):
    """One matrix leg per image; each leg names its outputs after its image, so GitHub's
    combining of the legs' outputs keeps both digests."""
    image = _load("image.yml")
    legs = {
        job: {leg["component"]: leg for leg in image["jobs"][job]["strategy"]["matrix"]["include"]}
        for job in ("build", "publish")
    }
    assert legs["build"] == legs["publish"]
    assert {name: leg["context"] for name, leg in legs["build"].items()} == {
        "app": "reference_app",
        "frontend": "reference_app/frontend",
    }
    for context in ("reference_app", "reference_app/frontend"):
        assert (REPO / context / "Dockerfile").is_file()
    smoke_conditions = {
        step["if"]
        for step in image["jobs"]["build"]["steps"]
        if "Smoke test" in step.get("name", "")
    }
    assert smoke_conditions == {"matrix.component == 'app'", "matrix.component == 'frontend'"}
    outputs = image["jobs"]["publish"]["outputs"]
    written = _step(image["jobs"]["publish"], "Outputs")["run"]
    for name in ("app-image", "app-digest", "frontend-image", "frontend-digest"):
        assert outputs[name] == f"${{{{ steps.outputs.outputs.{name} }}}}"
    assert '"${COMPONENT}-digest=${DIGEST}"' in written
    called = _triggers(image)["workflow_call"]["outputs"]
    assert called["digest"]["value"] == "${{ jobs.publish.outputs.app-digest }}"
    assert called["frontend-digest"]["value"] == "${{ jobs.publish.outputs.frontend-digest }}"


def test_the_deploy_job_runs_inside_the_callers_github_environment() -> None:
    """Production's required reviewers and its own secrets apply only through `environment`."""
    helm = _load("helm-deploy.yml")["jobs"]["helm"]
    assert helm["environment"]["name"] == "${{ inputs.environment }}"
    assert helm["concurrency"]["cancel-in-progress"] is False


def test_a_failed_smoke_test_rolls_back_to_the_revision_that_ran_before() -> None:
    steps = _load("helm-deploy.yml")["jobs"]["helm"]["steps"]
    names = [str(step.get("name", "")) for step in steps]
    deploy = names.index("Deploy (helm upgrade --install --atomic --wait)")
    smoke = names.index("Smoke test (the public address answers ready)")
    rollback = steps[names.index("Roll back to the revision that ran before")]
    assert names.index("Remember the revision running now") < deploy < smoke
    assert names.index(rollback["name"]) == len(steps) - 1
    assert "failure()" in rollback["if"]
    assert "steps.deploy.outcome == 'success'" in rollback["if"]
    assert 'helm rollback "$RELEASE" "$REVISION"' in rollback["run"]
    assert "--atomic --wait" in steps[deploy]["run"]
    assert "/api/v1/health/ready" in steps[smoke]["run"]


def _helm() -> str | None:
    local = REPO / ".tools" / "bin" / "helm"
    return str(local) if local.exists() else shutil.which("helm")


def test_the_deploy_command_renders_the_chart_with_the_image_by_digest(tmp_path: Path) -> None:
    """The deploy step's own command, with `helm upgrade --install` swapped for `helm template`:
    every flag and value it passes must be one the chart and its schema accept."""
    helm = _helm()
    if helm is None:
        if os.environ.get("CI"):
            pytest.fail("helm is required in CI: bash .ci/install.sh")
        pytest.skip("helm not installed: bash infrastructure/tools/install-container-tools.sh")
    job = _load("helm-deploy.yml")["jobs"]["helm"]
    command = _step(job, "Deploy (helm")["run"]
    assert command.startswith("helm upgrade --install ")
    (tmp_path / "values-environment.yaml").write_text("{}\n", encoding="utf-8")
    digest, frontend_digest = "sha256:" + "ab" * 32, "sha256:" + "cd" * 32
    env = {
        **os.environ,
        **{k: v for k, v in job["env"].items() if "${{" not in v},
        "NAMESPACE": "reference-app",
        "RUNNER_TEMP": str(tmp_path),
        "IMAGE": "ghcr.io/example/reference-app",
        "DIGEST": digest,
        "FRONTEND_IMAGE": "ghcr.io/example/reference-app-frontend",
        "FRONTEND_DIGEST": frontend_digest,
    }
    rendered = subprocess.run(
        ["bash", "-c", command.replace("helm upgrade --install", f"{helm} template", 1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
        env=env,
    ).stdout
    images = set(re.findall(r"^\s+image: (\S+)$", rendered, flags=re.MULTILINE))
    assert images == {
        f"ghcr.io/example/reference-app@{digest}",
        f"ghcr.io/example/reference-app-frontend@{frontend_digest}",
    }


# --- Terraform ------------------------------------------------------------------------------


def test_terraform_plans_on_pull_requests_and_applies_only_from_main_behind_a_gate() -> None:
    terraform = _load("terraform.yml")
    triggers = _triggers(terraform)
    assert "infrastructure/terraform/**" in triggers["pull_request"]["paths"]
    assert triggers["push"]["branches"] == ["main"]
    plan, apply = terraform["jobs"]["plan"], terraform["jobs"]["apply"]
    comment = _step(plan, "Post the plan")
    assert comment["if"] == "github.event_name == 'pull_request'"
    assert "gh pr comment" in comment["run"]
    assert plan["permissions"]["pull-requests"] == "write"
    assert apply["needs"] == "plan"
    assert apply["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert apply["environment"] == "infrastructure"
    assert "terraform apply -input=false -no-color tfplan" in _step(apply, "terraform apply")["run"]


# --- Releases -------------------------------------------------------------------------------
# release.yml runs commitizen (`cz bump`) with the [tool.commitizen] table of pyproject.toml.
# GitHub would report a broken release only on main, after a merge: these tests cut real
# releases, with that table and the workflow's own command, in a throwaway repository.


def _commitizen() -> dict[str, Any]:
    return dict(_pyproject()["tool"]["commitizen"])


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _version_files() -> list[tuple[str, re.Pattern[str]]]:
    """commitizen's `path:regex` entries: the version is replaced on the lines the regex finds."""
    pairs = [entry.split(":", 1) for entry in _commitizen()["version_files"]]
    return [(path, re.compile(regex)) for path, regex in pairs]


def _release_job() -> dict[str, Any]:
    return dict(_load("release.yml")["jobs"]["release"])


def _bump_command() -> list[str]:
    """The `cz bump ...` that release.yml runs, as arguments."""
    script = _step(_release_job(), "Bump the version")["run"]
    (command,) = re.findall(r"uv run --frozen (cz bump [^|\n]*?)\s*\|\|", script)
    return shlex.split(command)


def _no_release_exit_codes() -> set[int]:
    """The `case` arm of the bump step that ends the job without a release."""
    script = _step(_release_job(), "Bump the version")["run"]
    (arm,) = re.findall(r"^\s*([\d |]+)\)\s*echo \"::notice::Nothing to release", script, re.M)
    return {int(code) for code in arm.split("|")}


def _locked_version(lock_file: Path, package: str) -> str:
    lock = tomllib.loads(lock_file.read_text(encoding="utf-8"))
    (version,) = [p["version"] for p in lock["package"] if p["name"] == package]
    return str(version)


def test_every_version_file_exists_and_holds_the_projects_version() -> None:
    """cz skips a version file it cannot find without a word, and rewrites only the lines its
    regex picks: each must pick exactly one line, holding the version of pyproject.toml."""
    version = _pyproject()["project"]["version"]
    assert len(_version_files()) == 2
    for path, regex in _version_files():
        lines = (REPO / path).read_text(encoding="utf-8").splitlines()
        picked = [line for line in lines if regex.search(line)]
        assert len(picked) == 1, (path, picked)
        assert version in picked[0], (path, picked)
    assert _locked_version(REPO / "uv.lock", _pyproject()["project"]["name"]) == version
    assert _locked_version(REPO / "uv.lock", "reference-app") == version
    assert _locked_version(REPO / "reference_app" / "uv.lock", "reference-app") == version


def test_the_release_job_bumps_pushes_the_tag_and_publishes_the_notes() -> None:
    job = _release_job()
    assert job["permissions"] == {"contents": "write"}
    checkout = _step_using(job, "actions/checkout")["with"]
    assert checkout["fetch-depth"] == 0
    assert checkout["token"] == "${{ secrets.RELEASE_TOKEN || github.token }}"
    assert _bump_command()[:3] == ["cz", "bump", "--yes"]
    assert "--check-consistency" in _bump_command()
    push = _step(job, "Push the release commit")
    # --follow-tags pushes annotated tags only; a lightweight tag would stay on the runner.
    assert "git push --atomic --follow-tags" in push["run"]
    assert _commitizen()["annotated_tag"] is True
    publish = _step(job, "Publish the GitHub release")
    assert push["if"] == publish["if"] == "steps.bump.outputs.tag != ''"
    assert 'cz changelog "$TAG" --dry-run > release-notes.md' in publish["run"]
    assert 'gh release create "$TAG"' in publish["run"]
    assert "--notes-file release-notes.md" in publish["run"]


def test_the_release_job_passes_without_a_release_exactly_when_cz_has_nothing_to_bump() -> None:
    facts = _commitizen_facts()
    assert _no_release_exit_codes() == {facts["no_commits_found"], facts["no_increment"]}


@functools.cache
def _commitizen_facts() -> dict[str, Any]:
    """commitizen's exit codes and change types, asked in a process of its own: importing
    commitizen runs ``logging.config.dictConfig(disable_existing_loggers=True)``, which would
    switch off every logger this test process created before (the app's access log among them).
    """
    script = (
        "import json; from commitizen.exceptions import ExitCode as E; "
        "from commitizen.cz.conventional_commits import ConventionalCommitsCz as C; "
        "print(json.dumps({'no_commits_found': int(E.NO_COMMITS_FOUND), "
        "'no_increment': int(E.NO_INCREMENT), 'change_types': sorted(C.change_type_map)}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return dict(json.loads(done.stdout))


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv runs this suite: `uv run pytest`"
    return uv


def _isolated_env() -> dict[str, str]:
    """Git without the user's or the system's configuration; uv, this venv's `python` and `cz`
    first on PATH (the hooks call them by name), and no pointer to the workbook's venv."""
    path = os.pathsep.join(
        [str(Path(sys.executable).parent), str(Path(_uv()).parent), os.environ["PATH"]]
    )
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_PROJECT"}}
    return {**env, "PATH": path, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _run(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=repo, env=_isolated_env(), capture_output=True, text=True, timeout=120
    )


def _git(repo: Path, *args: str) -> str:
    done = _run(repo, "git", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


REHEARSAL_VERSION = "0.1.0"
# The chart's own `version:` equals the app's on purpose: only `appVersion` may change.
REHEARSAL_CHART = (
    f'apiVersion: v2\nname: reference-app\nversion: 0.1.0\nappVersion: "{REHEARSAL_VERSION}"\n'
)


def _rehearsal_repo(root: Path) -> Path:
    """This project in miniature at 0.1.0: a uv workspace whose root and `reference_app` member
    have no dependencies (uv locks it without a network), the chart, the script the hooks run,
    and the [tool.commitizen] table of pyproject.toml as it is."""
    table = _commitizen()
    workspace = (
        f'[project]\nname = "rehearsal"\nversion = "{REHEARSAL_VERSION}"\n'
        'requires-python = ">=3.11"\ndependencies = ["reference-app"]\n\n'
        '[tool.uv.workspace]\nmembers = ["reference_app"]\n\n'
        "[tool.uv.sources]\nreference-app = { workspace = true }\n\n[tool.commitizen]\n"
        # TOML writes strings, booleans and arrays of strings as JSON does.
        + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
    )
    assert tomllib.loads(workspace)["tool"]["commitizen"] == table
    files = {
        "pyproject.toml": workspace,
        "reference_app/pyproject.toml": (
            f'[project]\nname = "reference-app"\nversion = "{REHEARSAL_VERSION}"\n'
            'requires-python = ">=3.11"\n'
        ),
        "infrastructure/helm/reference-app/Chart.yaml": REHEARSAL_CHART,
        ".ci/sync_template_lock.py": (REPO / ".ci/sync_template_lock.py").read_text("utf-8"),
    }
    assert {path for path, _regex in _version_files()} < set(files)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    for command in (
        (_uv(), "lock", "--offline", "--quiet"),
        ("python", ".ci/sync_template_lock.py"),
        ("git", "init", "--quiet", "--initial-branch=main"),
        ("git", "config", "user.name", "Release Rehearsal"),
        ("git", "config", "user.email", "rehearsal@example.com"),
        ("git", "add", "--all"),
        ("git", "commit", "--quiet", "--message", "chore: start the project"),
    ):
        done = _run(root, *command)
        assert done.returncode == 0, (command, done.stderr)
    return root


def _commit(repo: Path, message: str) -> None:
    _git(repo, "commit", "--quiet", "--allow-empty", "--message", message)


def _bump(repo: Path) -> subprocess.CompletedProcess[str]:
    return _run(repo, *_bump_command())


@pytest.mark.parametrize(
    ("message", "version", "section"),
    [
        ("fix(auth): refuse an expired reset token", "0.1.1", "### Fix"),
        ("perf(posts): one query for a page of posts", "0.1.1", "### Perf"),
        ("feat(posts): search posts by title", "0.2.0", "### Feat"),
        # Before 1.0.0 a breaking change bumps the minor (major_version_zero).
        ("feat(api)!: drop /api/v1\n\nBREAKING CHANGE: call /api/v2", "0.2.0", "### BREAKING"),
    ],
    ids=["fix", "perf", "feat", "breaking"],
)
def test_cz_bump_cuts_the_release_into_every_version_file_the_lock_and_the_changelog(
    tmp_path: Path, message: str, version: str, section: str
) -> None:
    repo = _rehearsal_repo(tmp_path)
    _commit(repo, message)
    bumped = _bump(repo)
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    assert _git(repo, "tag", "--list").split() == [f"v{version}"]
    assert _git(repo, "cat-file", "-t", f"v{version}").strip() == "tag"  # annotated
    assert _git(repo, "log", "-1", "--format=%s").strip() == f"chore(release): v{version}"
    assert _git(repo, "status", "--porcelain") == ""  # every file it changed is in the commit
    for path, regex in _version_files():
        (line,) = [x for x in (repo / path).read_text("utf-8").splitlines() if regex.search(x)]
        assert version in line, (path, line)
    chart = (repo / "infrastructure/helm/reference-app/Chart.yaml").read_text("utf-8")
    assert chart == REHEARSAL_CHART.replace(f'"{REHEARSAL_VERSION}"', f'"{version}"')
    assert (
        tomllib.loads((repo / "pyproject.toml").read_text("utf-8"))["project"]["version"] == version
    )
    assert _locked_version(repo / "uv.lock", "rehearsal") == version
    assert _locked_version(repo / "uv.lock", "reference-app") == version
    assert _locked_version(repo / "reference_app" / "uv.lock", "reference-app") == version
    changelog = (repo / "CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith(f"## v{version} (")
    assert section in changelog


def test_commits_that_change_no_version_cut_no_release(tmp_path: Path) -> None:
    """The exit codes release.yml's bump step reads as "nothing to release", produced for real."""
    repo = _rehearsal_repo(tmp_path)
    _commit(repo, "feat: the first feature")
    assert _bump(repo).returncode == 0
    facts = _commitizen_facts()
    assert _bump(repo).returncode == facts["no_commits_found"]  # as after its own release commit
    _commit(repo, "docs: explain the release")
    _commit(repo, "ci: cache the uv downloads")
    assert _bump(repo).returncode == facts["no_increment"]
    assert _git(repo, "tag", "--list").split() == ["v0.2.0"]


def _allowed_title_types() -> list[str]:
    (step,) = _load("pr-title.yml")["jobs"]["conventional-commit"]["steps"]
    return str(step["with"]["types"]).split()


def test_pull_request_titles_allow_every_type_that_changes_the_version() -> None:
    """A type the title check refused could never reach main to release anything."""
    assert _commitizen()["name"] == "cz_conventional_commits"
    assert set(_commitizen_facts()["change_types"]) <= set(_allowed_title_types())


# --- Dependabot -----------------------------------------------------------------------------


def _dependabot_updates() -> list[dict[str, Any]]:
    return list(yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))["updates"])


def test_dependabot_watches_every_ecosystem_the_project_uses() -> None:
    ecosystems = {update["package-ecosystem"] for update in _dependabot_updates()}
    assert ecosystems == {"uv", "github-actions", "docker", "npm"}


def _folders(update: dict[str, Any]) -> list[str]:
    return list(update.get("directories") or [update["directory"]])


def test_dependabot_reads_folders_that_exist() -> None:
    missing = [
        folder
        for update in _dependabot_updates()
        for folder in _folders(update)
        if not (REPO / folder.lstrip("/")).is_dir()
    ]
    assert missing == []


def test_dependabot_watches_the_base_image_of_every_dockerfile_a_team_ships() -> None:
    shipped = {
        "/" + str(path.parent.relative_to(REPO))
        for path in (REPO / "reference_app").rglob("Dockerfile")
        if "node_modules" not in path.parts
    }
    watched = {
        folder
        for update in _dependabot_updates()
        if update["package-ecosystem"] == "docker"
        for folder in _folders(update)
    }
    assert shipped == watched


def test_dependabots_pull_request_titles_pass_the_title_check() -> None:
    allowed = _allowed_title_types()
    for update in _dependabot_updates():
        assert update["commit-message"]["prefix"] in allowed, update
