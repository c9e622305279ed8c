"""Lab 11, public tests: the linters, the job graph, the token's default, timeouts, and no
deployment from a pull request."""

import json
from collections.abc import Callable
from typing import Any

MAX_TIMEOUT_MINUTES = 60
READ_ONLY = {"read", "none"}


def test_actionlint_finds_nothing(actionlint: Callable[[], list[str]]) -> None:
    """actionlint must report nothing: each finding names a line and a column. A job that
    `needs` a job that does not exist, an expression whose `${{ ... }}` does not parse and a
    timeout that is not a number all stop GitHub from starting the workflow at all."""
    found = actionlint()
    assert found == [], f"actionlint reports: {' | '.join(found)}"


def test_the_workflow_matches_the_github_workflow_schema(
    schema_check: Callable[[], list[str]],
) -> None:
    """The workflow must validate against the GitHub workflow JSON schema
    (`check-jsonschema --builtin-schema vendor.github-workflows`): a second, independent
    reading of the keys and the type of every value."""
    problems = schema_check()
    assert problems == [], f"check-jsonschema reports: {' | '.join(problems)}"


def test_lint_and_test_run_in_parallel_and_build_needs_both(workflow: Any) -> None:
    """Jobs `lint` and `test` need nothing, so they start at once, side by side; `build` needs
    exactly both (`needs: [lint, test]`), so no image is built from code that failed either."""
    assert workflow.needs("lint") == set(), f"lint waits for {sorted(workflow.needs('lint'))}"
    assert workflow.needs("test") == set(), f"test waits for {sorted(workflow.needs('test'))}"
    needs = workflow.needs("build")
    unknown = sorted(needs - set(workflow.jobs))
    assert not unknown, f"build needs {unknown}, which the workflow does not have"
    assert needs == {"lint", "test"}, f"build needs {sorted(needs)}, not lint and test"


def test_the_token_can_write_nothing_by_default(workflow: Any) -> None:
    """The workflow needs a top-level `permissions:` that writes nothing: `{}` (no scope at
    all) or read-only scopes (`contents: read`). Without it the token gets the repository's
    default, often write-all; a job that must write asks for that scope itself."""
    assert "permissions" in workflow.document, "add a top-level `permissions:` block"
    granted = workflow.document["permissions"]
    if isinstance(granted, str):
        assert granted == "read-all", f"top-level `permissions: {granted}`: use `{{}}`"
        return
    assert isinstance(granted, dict), f"permissions should be a mapping, not {granted!r}"
    writes = {scope: level for scope, level in granted.items() if level not in READ_ONLY}
    assert writes == {}, f"every job gets these: {json.dumps(writes)}; move them to one job"


def test_every_job_has_a_timeout(workflow: Any) -> None:
    """Every job needs `timeout-minutes`, a whole number from 1 to 60. Without one a job that
    hangs holds a runner for GitHub's default of 360 minutes."""
    timeouts = {name: job.get("timeout-minutes") for name, job in workflow.jobs.items()}
    missing = sorted(name for name, minutes in timeouts.items() if minutes is None)
    assert missing == [], f"jobs without timeout-minutes: {missing}"
    wrong = {
        name: minutes
        for name, minutes in timeouts.items()
        if isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_TIMEOUT_MINUTES
    }
    assert wrong == {}, f"timeout-minutes should be a whole number from 1 to 60: {wrong}"


def test_deploy_never_runs_for_a_pull_request(
    workflow: Any, event: Callable[..., dict[str, Any]]
) -> None:
    """The `deploy` job's `if:` must be false for every pull request: one from a branch, and
    one from a fork whose branch is also called main. Anyone can open a pull request."""
    pull_requests = {
        "a pull request from feature/login into main": event(
            "pull_request", "refs/pull/7/merge", base_ref="main", head_ref="feature/login"
        ),
        "a pull request from a fork's main into main": event(
            "pull_request", "refs/pull/8/merge", base_ref="main", head_ref="main"
        ),
    }
    deploying = [
        name for name, context in pull_requests.items() if workflow.job_runs("deploy", context)
    ]
    condition = workflow.job("deploy").get("if", "(none)")
    assert deploying == [], f"deploy runs for {deploying} (its if: {condition})"
