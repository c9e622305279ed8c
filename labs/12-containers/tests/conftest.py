"""Lab 12 fixtures: the student's Dockerfile, parsed, and the app's side of the contract.

There is no Docker engine here: the Dockerfile is linted by hadolint and read instruction by
instruction, and what it promises about the app (a command of its CLI, a route of its API, no
setting that holds a secret) is compared with the app itself, not with a list typed into
these tests.

Reading the file never fails a fixture: what is missing or malformed (no CMD, a CMD in shell
form) fails the test that asks for it, with a message that says what was expected.
"""

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from labsupport.app import make_settings
from labsupport.tools import run_tool
from pydantic import SecretStr

from reference_app import cli
from reference_app.core.config import Settings
from reference_app.main import create_app

pytest_plugins = ["labsupport.plugin"]

HADOLINT_INSTALL = (
    "download the binary for your system from https://github.com/hadolint/hadolint/releases "
    "and put it on your PATH (or `brew install hadolint`); in the workbook, "
    "`bash infrastructure/tools/install-container-tools.sh`"
)


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, USER, ...
    arguments: str


@dataclass(frozen=True)
class Stage:
    base: str  # the image (or earlier stage) it starts from
    name: str  # its `AS` name, or "" when it has none
    instructions: tuple[Instruction, ...] = ()

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass(frozen=True)
class Image:
    """A Dockerfile, read: its stages; the last one is what the image is made of."""

    stages: tuple[Stage, ...]

    @property
    def runtime(self) -> Stage:
        return self.stages[-1] if self.stages else Stage("", "")

    def exposed_ports(self) -> set[int]:
        ports = (p.split("/")[0] for ps in self.runtime.all("EXPOSE") for p in ps.split())
        return {int(p) for p in ports if p.isdigit()}

    def command(self) -> list[str]:
        """The last stage's CMD, which must be in exec form."""
        cmd = self.runtime.last("CMD")
        if cmd is None:
            pytest.fail("the last stage has no CMD", pytrace=False)
        return exec_form(cmd, "CMD")

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """The last stage's HEALTHCHECK: options (``timeout`` -> ``5s``) and exec-form command."""
        check = self.runtime.last("HEALTHCHECK")
        if check is None or check.strip().upper() == "NONE":
            pytest.fail("the last stage has no HEALTHCHECK", pytrace=False)
        options, separator, command = check.partition("CMD ")
        if not separator:
            pytest.fail(f"HEALTHCHECK has no CMD: {check}", pytrace=False)
        values = dict(word.removeprefix("--").partition("=")[::2] for word in options.split())
        return values, exec_form(command.strip(), "HEALTHCHECK CMD")


def parse_dockerfile(text: str) -> Image:
    """Instructions with continuation lines joined and comments dropped (as Docker does), in
    stages, each from its FROM to the next."""
    stages: list[Stage] = []
    buffer = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1].rstrip() + " "
            continue
        keyword, _, arguments = (buffer + line).partition(" ")
        buffer = ""
        instruction = Instruction(keyword.upper(), arguments.strip())
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")] or [""]
            name = words[2] if len(words) == 3 and words[1].lower() == "as" else ""
            stages.append(Stage(words[0], name))
        elif stages:
            last = stages[-1]
            stages[-1] = Stage(last.base, last.name, (*last.instructions, instruction))
    return Image(tuple(stages))


def exec_form(arguments: str, what: str) -> list[str]:
    """The JSON array of an exec-form instruction; fails the test otherwise."""
    try:
        argv = json.loads(arguments)
    except json.JSONDecodeError:
        argv = None
    if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
        pytest.fail(
            f"{what} is not in exec form (a JSON array of strings): {arguments}", pytrace=False
        )
    return argv


@pytest.fixture
def dockerfile(lab_src: Path) -> str:
    return (lab_src / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture
def image(dockerfile: str) -> Image:
    return parse_dockerfile(dockerfile)


@pytest.fixture
def hadolint(lab_src: Path, tmp_path: Path) -> Callable[[], subprocess.CompletedProcess[str]]:
    """hadolint at its warning threshold on a copy of the Dockerfile, in an empty folder (so
    that no ``.hadolint.yaml`` of anyone's switches rules off)."""

    def lint() -> subprocess.CompletedProcess[str]:
        folder = tmp_path / "lint"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(lab_src / "Dockerfile", folder / "Dockerfile")
        arguments = ("--no-color", "--failure-threshold", "warning", "Dockerfile")
        return run_tool("hadolint", HADOLINT_INSTALL, *arguments, cwd=folder)

    return lint


@pytest.fixture(scope="session")
def cli_options() -> Callable[[list[str]], dict[str, Any]]:
    """Parse ``reference-app <command> <options>`` with the app's own command line (Typer);
    the command's name and the values of its options."""
    group = typer.main.get_command(cli.app)

    def parse(argv: list[str]) -> dict[str, Any]:
        assert argv[0] == "reference-app", f"the command should be reference-app, not {argv[0]}"
        name, *options = argv[1:] or [""]
        command = getattr(group, "commands", {}).get(name)
        assert command is not None, f"reference-app has no command {name!r}"
        try:
            with command.make_context(name, list(options)) as context:
                return {"command": name, **context.params}
        except Exception as exc:  # Typer's own click exceptions: a usage error
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            pytest.fail(f"reference-app {name} refuses {options}: {message}", pytrace=False)

    return parse


@pytest.fixture(scope="session")
def secret_variables() -> set[str]:
    """The environment variables of settings that hold secrets: every ``SecretStr`` setting,
    and the connection URLs, which carry their passwords."""
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    return {
        prefix + name.upper()
        for name, field in Settings.model_fields.items()
        if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ()))
        or name.endswith("_url")
    }


@pytest.fixture(scope="session")
def api_paths(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The paths of the app's routes, from its OpenAPI document (the database is never opened)."""
    database = tmp_path_factory.mktemp("app") / "unused.db"
    app = create_app(make_settings(f"sqlite+aiosqlite:///{database}"))
    return set(app.openapi()["paths"])
