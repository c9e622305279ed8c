"""Lab 11, hidden tests: pins, the deploy's trigger, environment and concurrency, per-job
permissions, the lock file, and that every job still does its work."""

import re
from collections.abc import Callable
from typing import Any

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
LOCAL = ("./", "docker://")
# Values that differ on every run: a concurrency group made of them never makes a run wait.
PER_RUN = re.compile(r"github\.(sha|run_id|run_number|run_attempt)\b")
LOCKED_SYNC = re.compile(r"\buv sync\b(?P<options>[^\n;&|]*)")
READ_ONLY = {"read", "none"}


def test_every_action_is_pinned_by_a_full_commit_sha(workflow: Any) -> None:
    """Every action and called workflow from another repository is pinned by a full commit
    SHA (`owner/repo@<40 hex>  # v6.1.0`): a tag or a branch can be moved to other code by
    whoever controls the action, a commit cannot."""
    uses = [(job, ref) for job, ref in workflow.uses() if not ref.startswith(LOCAL)]
    assert uses, "the workflow uses no action at all"
    unpinned = sorted({ref for _job, ref in uses if not PINNED.match(ref)})
    assert unpinned == [], f"not pinned by a full commit SHA: {unpinned}"


def test_deploy_runs_for_a_push_to_main_and_nothing_else(
    workflow: Any, event: Callable[..., dict[str, Any]]
) -> None:
    """The `deploy` job's `if:` must be true for a push to main, and false for a push to any
    other branch or of a tag, whatever the workflow's triggers say."""
    assert workflow.job_runs("deploy", event("push", "refs/heads/main")), "main is never deployed"
    others = {
        "a push to feature/login": event("push", "refs/heads/feature/login"),
        "a push to main-hotfix": event("push", "refs/heads/main-hotfix"),
        "a push of the tag v1.2.0": event("push", "refs/tags/v1.2.0"),
    }
    deploying = [name for name, context in others.items() if workflow.job_runs("deploy", context)]
    assert deploying == [], f"deploy also runs for {deploying}"


def test_deploy_waits_for_build_inside_the_staging_environment(workflow: Any) -> None:
    """`deploy` needs `build` (it deploys the image `build` pushed) and runs in the GitHub
    environment `staging`, which holds the deploy's secret and its protection rules."""
    assert "build" in workflow.needs("deploy"), "deploy does not wait for build"
    environment = workflow.job("deploy").get("environment")
    name = environment.get("name") if isinstance(environment, dict) else environment
    assert name == "staging", f"deploy runs in the environment {name!r}, not 'staging'"


def test_a_deployment_is_never_cancelled_and_never_doubled(
    workflow: Any, event: Callable[..., dict[str, Any]]
) -> None:
    """`deploy` has a `concurrency` group of its own, the same for every run (no
    `github.sha`, no `github.run_id` in it), that does not cancel a deployment in progress;
    nor may the workflow's own `concurrency` cancel a run on main."""
    push_to_main = event("push", "refs/heads/main")
    concurrency = workflow.job("deploy").get("concurrency")
    assert concurrency, "deploy has no concurrency: two deployments can run at once"
    spec = concurrency if isinstance(concurrency, dict) else {"group": concurrency}
    group = str(spec.get("group", ""))
    assert group, "deploy's concurrency has no group"
    assert not PER_RUN.search(group), f"the group `{group}` differs on every run"
    cancels = workflow.condition_holds(spec.get("cancel-in-progress", False), push_to_main)
    assert not cancels, "deploy's concurrency cancels a deployment half-way"
    top = workflow.document.get("concurrency")
    if isinstance(top, dict):
        cancels = workflow.condition_holds(top.get("cancel-in-progress", False), push_to_main)
        assert not cancels, "the workflow's concurrency cancels runs on main, deploys included"


def test_each_job_asks_for_only_the_permissions_it_uses(workflow: Any) -> None:
    """Every job declares its own `permissions`, and only `build` may write, and only
    `packages` (to push the image to GHCR). The others read, or have no token at all."""
    undeclared = sorted(name for name, job in workflow.jobs.items() if "permissions" not in job)
    assert undeclared == [], f"jobs without their own permissions: {undeclared}"
    writes = {}
    for name, job in workflow.jobs.items():
        granted = job["permissions"]
        if isinstance(granted, str):
            granted = {"all": granted.removesuffix("-all")}
        writes[name] = {scope for scope, level in (granted or {}).items() if level not in READ_ONLY}
    allowed = {name: set() for name in writes} | {"build": {"packages"}}
    too_much = {name: sorted(scopes) for name, scopes in writes.items() if scopes - allowed[name]}
    assert too_much == {}, f"write scopes no job needs: {too_much}"


def test_dependencies_come_from_uv_lock(workflow: Any) -> None:
    """Every job that runs uv installs exactly `uv.lock` (`uv sync --locked`) and restores a
    cache keyed on it: `astral-sh/setup-uv` with `enable-cache: true` and
    `cache-dependency-glob: uv.lock`, or an `actions/cache` whose key hashes `uv.lock`."""
    uv_jobs = [
        name for name in workflow.jobs if re.search(r"\buv (sync|run)\b", workflow.commands(name))
    ]
    assert {"lint", "test"} <= set(uv_jobs), f"only {uv_jobs} run uv"
    for name in uv_jobs:
        syncs = [m["options"] for m in LOCKED_SYNC.finditer(workflow.commands(name))]
        assert syncs, f"{name} never runs `uv sync --locked`: `uv run` would resolve anew"
        loose = [o for o in syncs if not re.search(r"--(locked|frozen)\b", o)]
        assert loose == [], f"{name} runs `uv sync` without --locked: it may ignore uv.lock"
        setups = [
            s.get("with") or {}
            for s in workflow.steps_using(name, "astral-sh/setup-uv")
            if str((s.get("with") or {}).get("enable-cache")).lower() == "true"
        ]
        keyed = [w for w in setups if "uv.lock" in str(w.get("cache-dependency-glob", ""))]
        caches = [
            str((s.get("with") or {}).get("key", ""))
            for s in workflow.steps_using(name, "actions/cache")
        ]
        assert len(keyed) == len(setups), f"{name}: setup-uv's cache is not keyed on uv.lock"
        stale = [key for key in caches if not re.search(r"hashFiles\([^)]*uv\.lock", key)]
        assert stale == [], f"{name}: caches not keyed on uv.lock: {stale}"
        assert keyed or caches, f"{name} restores no cache keyed on uv.lock"


def test_every_job_still_does_its_work(workflow: Any) -> None:
    """Fixing the workflow must not empty it: it runs on pull requests and on pushes to main;
    `lint` runs ruff and mypy, `test` runs pytest, `build` builds with
    `docker/build-push-action`, and `deploy` deploys the digest `build` pushed."""
    triggers = workflow.triggers
    assert "pull_request" in triggers, "pull requests are no longer checked"
    branches = (triggers.get("push") or {}).get("branches", ["main"])
    assert "push" in triggers, "pushes no longer start the workflow"
    assert "main" in branches, "pushes to main no longer start the workflow"
    assert "ruff check" in workflow.commands("lint"), "lint no longer runs `ruff check`"
    assert "mypy" in workflow.commands("lint"), "lint no longer runs mypy"
    assert "pytest" in workflow.commands("test"), "test no longer runs pytest"
    assert workflow.steps_using("build", "docker/build-push-action"), "build builds no image"
    deploy_steps = str(workflow.job("deploy").get("steps"))
    assert "needs.build.outputs.digest" in deploy_steps, "deploy no longer deploys build's digest"
