"""The labs on disk: where they are, what their manifests say, and whether a submission can run.

A lab is a folder ``labs/NN-name/`` with a manifest, ``lab.toml``::

    title = "A validated setting that production enforces"
    lesson = "01_layout_and_settings"
    files = ["lab_settings.py"]          # what students edit, relative to starter/

    [points.public]                      # every test function in tests/public/
    test_any_host_is_allowed_by_default = 1

    [points.hidden]                      # every test function in tests/hidden/
    test_hosts_are_normalised = 1

    [hints]                              # optional; a test's docstring is its default hint
    test_hosts_are_normalised = "Strip and lower-case each entry."

Adding a lab is adding such a folder: nothing here lists the labs by name. A lab without a
``starter/`` folder has its starter generated from ``solution/`` (see :mod:`workbook.lab_starter`).
"""

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from workbook.lab_starter import MarkerError, generated_starter, has_markers, starter_text

LABS_DIR = Path(__file__).resolve().parents[2] / "labs"
LAB_FOLDER = re.compile(r"^(?P<number>\d{2})-[a-z0-9-]+$")
VISIBILITIES = ("public", "hidden")


class LabError(Exception):
    """A problem the user can fix; the command prints the message, never a traceback."""


@dataclass(frozen=True)
class LabTest:
    """One test function and what it is worth."""

    name: str
    visibility: str
    points: int
    hint: str
    node_id: str  # for pytest: "tests/public/test_settings.py::test_name" ("" if not found)


@dataclass(frozen=True)
class Lab:
    path: Path
    number: int
    title: str
    lesson: str
    files: tuple[str, ...]
    tests: tuple[LabTest, ...]
    # [release] in lab.toml, for the student copy of a lab graded with more than Python:
    bundle: tuple[str, ...] = ()  # workbook paths the copy carries, at the same paths
    setup: tuple[str, ...] = ()  # commands the copy's Classroom workflow runs before the tests
    requirements: tuple[str, ...] = ()  # more packages the tests import, pinned from uv.lock

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def starter_is_generated(self) -> bool:
        """No ``starter/`` folder: the starter is made from the marked solution."""
        return not (self.path / "starter").exists()

    @property
    def starter(self) -> Path:
        """The folder students start from: ``starter/``, or the one generated from the solution."""
        if not self.starter_is_generated:
            return self.path / "starter"
        try:
            return generated_starter(self.id, self.solution)
        except (MarkerError, OSError) as exc:
            raise LabError(f"Cannot generate the starter of lab {self.id}: {exc}") from exc

    @property
    def solution(self) -> Path:
        return self.path / "solution"

    @property
    def shared(self) -> Path:
        """The helpers every lab's tests import (``labsupport``) and their pytest.ini."""
        return self.path.parent / "_shared"

    def tests_dir(self, visibility: str) -> Path:
        return self.path / "tests" / visibility

    def selected(self, include_hidden: bool) -> tuple[LabTest, ...]:
        return tuple(t for t in self.tests if include_hidden or t.visibility == "public")

    def max_points(self, visibility: str | None = None) -> int:
        return sum(t.points for t in self.tests if visibility in (None, t.visibility))


def all_labs(labs_dir: Path = LABS_DIR) -> list[Lab]:
    """Every lab folder, in number order."""
    folders = [p for p in labs_dir.iterdir() if p.is_dir() and LAB_FOLDER.match(p.name)]
    return [load_lab(folder) for folder in sorted(folders)]


def find_lab(key: str, labs_dir: Path = LABS_DIR) -> Lab:
    """The lab named by ``key``: its number (``1``, ``01``) or its folder name."""
    labs = all_labs(labs_dir)
    for lab in labs:
        if key == lab.id or (key.isdigit() and int(key) == lab.number):
            return lab
    known = ", ".join(lab.id for lab in labs) or "none"
    raise LabError(f"There is no lab {key!r}. The labs are: {known}.")


def load_lab(path: Path) -> Lab:
    """Read ``path/lab.toml``; test hints default to the tests' docstrings."""
    manifest_path = path / "lab.toml"
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LabError(f"Cannot read {manifest_path}: {exc}") from exc
    match = LAB_FOLDER.match(path.name)
    if match is None:
        raise LabError(f"{path.name}: a lab folder is named NN-name, e.g. 01-settings")
    hints: dict[str, str] = manifest.get("hints", {})
    tests: list[LabTest] = []
    for visibility in VISIBILITIES:
        found = discover_tests(path, visibility)
        for name, points in manifest.get("points", {}).get(visibility, {}).items():
            file, docstring = found.get(name, (None, ""))
            node_id = f"{file.relative_to(path).as_posix()}::{name}" if file else ""
            tests.append(
                LabTest(name, visibility, int(points), hints.get(name) or docstring, node_id)
            )
    return Lab(
        path=path,
        number=int(match["number"]),
        title=manifest.get("title", path.name),
        lesson=manifest.get("lesson", ""),
        files=tuple(manifest.get("files", ())),
        tests=tuple(tests),
        bundle=tuple(manifest.get("release", {}).get("bundle", ())),
        setup=tuple(manifest.get("release", {}).get("setup", ())),
        requirements=tuple(manifest.get("release", {}).get("requirements", ())),
    )


def discover_tests(lab_path: Path, visibility: str) -> dict[str, tuple[Path, str]]:
    """Test functions found in ``tests/<visibility>/test_*.py``: name -> (file, docstring).

    Read from the source (no import), so it works for any lab without running its code.
    """
    found: dict[str, tuple[Path, str]] = {}
    for file in sorted((lab_path / "tests" / visibility).glob("test_*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in functions:
            if node.name.startswith("test"):
                found[node.name] = (file, " ".join((ast.get_docstring(node) or "").split()))
    return found


def manifest_problems(lab: Lab) -> list[str]:
    """Where the manifest and the tests disagree (the meta-tests require none)."""
    problems: list[str] = []
    for visibility in VISIBILITIES:
        listed = {t.name for t in lab.tests if t.visibility == visibility}
        found = set(discover_tests(lab.path, visibility))
        problems += [f"{visibility} test {n} has no points in lab.toml" for n in found - listed]
        problems += [f"lab.toml lists {visibility} test {n}, not found" for n in listed - found]
    problems += [f"{t.name} is worth {t.points} points" for t in lab.tests if t.points <= 0]
    if lab.starter_is_generated:
        problems += starter_problems(lab)
    else:
        problems += [
            f"{name} is missing from starter/"
            for name in lab.files
            if not (lab.starter / name).is_file()
        ]
    if not lab.lesson:
        problems.append("lab.toml names no lesson")
    workbook = lab.path.parents[1]
    problems += [
        f"[release] bundles {path}, which is not in the workbook"
        for path in lab.bundle
        if not (workbook / path).exists() or Path(path).is_absolute() or ".." in Path(path).parts
    ]
    for part in ("README.md", "solution", "tests/public", "tests/conftest.py"):
        if not (lab.path / part).exists():
            problems.append(f"{part} is missing")
    return problems


def starter_problems(lab: Lab) -> list[str]:
    """What stops a starter being generated from ``solution/``: a file it should hold that is
    missing or has no marked answer, markers that do not pair up, a result that is not Python."""
    problems: list[str] = []
    for name in lab.files:
        file = lab.solution / name
        if not file.is_file():
            problems.append(f"{name} is missing from solution/ (the starter is generated)")
            continue
        text = file.read_text(encoding="utf-8")
        if not has_markers(text):
            problems.append(f"solution/{name} marks no answer: its starter would be the solution")
            continue
        try:
            compile(starter_text(text, f"solution/{name}"), f"starter/{name}", "exec")
        except MarkerError as exc:
            problems.append(str(exc))
        except SyntaxError as exc:
            problems.append(f"the starter made from solution/{name} is not Python: {exc}")
    return problems


def check_source(lab: Lab, src: Path) -> None:
    """Refuse, with a message a student can act on, code that cannot even be tested.

    A missing file or a syntax error would otherwise surface as dozens of identical failures.
    """
    if not src.is_dir():
        raise LabError(f"{src} is not a folder. Point --src at the folder holding {lab.files[0]}.")
    for name in lab.files:
        if not (src / name).is_file():
            raise LabError(
                f"{src / name} is missing: lab {lab.id} grades this file. "
                f"Start from a copy of {lab.starter / name}."
            )
    # The folders of the graded files, not the whole tree: a student's folder may hold a
    # virtual environment, whose thousands of files are none of our business.
    folders = sorted({(src / name).parent for name in lab.files})
    for file in sorted(f for folder in folders for f in folder.glob("*.py")):
        try:
            compile(file.read_bytes(), str(file), "exec")
        except SyntaxError as exc:
            where = f"{file}, line {exc.lineno}" if exc.lineno else str(file)
            code = f"\n    {exc.text.rstrip()}" if exc.text else ""
            raise LabError(f"Syntax error in {where}: {exc.msg}{code}") from None
