"""The files a team expects in a project, and the decision records, stay true to the repository.

- The governance files exist: LICENSE, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, AGENTS.md,
  CODEOWNERS, the issue forms and the pull-request template.
- LICENSE is the licence both pyproject files declare, held by the book's author.
- Every architecture decision record (``book/adr/NNNN-*.md``) has MADR's sections, a status and
  a date, is listed by the index and published by ``_toc.yml``, and every path it cites exists:
  a record cannot outlive the code it describes unnoticed. The same holds for the paths the
  other governance files cite.
- The issue forms and their chooser pass GitHub's schemas (check-jsonschema's built-in copies,
  offline), and CODEOWNERS names only paths that exist.
- ``reference_app/`` has its own LICENSE, SECURITY.md and CONTRIBUTING.md, which a team copying
  the folder alone receives, and none of them links outside the folder.

Run alone: ``uv run pytest book/tests/test_project_files.py --no-cov``
"""

import datetime as dt
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "reference_app"
ADR_DIR = REPO / "book" / "adr"
ADRS = sorted(ADR_DIR.glob("[0-9][0-9][0-9][0-9]-*.md"))
ISSUE_TEMPLATES = REPO / ".github" / "ISSUE_TEMPLATE"
ISSUE_FORMS = sorted(ISSUE_TEMPLATES.glob("*.yml"))
CODEOWNERS = REPO / ".github" / "CODEOWNERS"

GOVERNANCE_FILES = [
    "LICENSE",
    "CONTRIBUTING.md",
    "CODE_OF_CONDUCT.md",
    "SECURITY.md",
    "AGENTS.md",
    ".github/CODEOWNERS",
    ".github/pull_request_template.md",
    ".github/ISSUE_TEMPLATE/bug_report.yml",
    ".github/ISSUE_TEMPLATE/feature_request.yml",
    ".github/ISSUE_TEMPLATE/config.yml",
]
# What a team copying reference_app/ alone needs beside the code (README, Dockerfile and CI
# workflow are checked by test_template_standalone.py).
TEMPLATE_PROJECT_FILES = ["LICENSE", "SECURITY.md", "CONTRIBUTING.md"]
# Pages whose backticked repository paths must exist (the ADRs are checked on their own).
PAGES_CITING_PATHS = ["CONTRIBUTING.md", "SECURITY.md", "AGENTS.md", "book/adr/index.md"]

ADR_SECTIONS = [
    "## Context and problem statement",
    "## Considered options",
    "## Decision outcome",
    "### Consequences",
]
ADR_STATUS = re.compile(r"^(proposed|accepted|deprecated|superseded by ADR (\d{4}))$")
MIT_GRANT = "Permission is hereby granted, free of charge, to any person obtaining a copy"

# A path from the repository root, as the pages cite them: `reference_app/src/.../cli.py`.
TOP_LEVEL_DIRS = ("reference_app", "book", "lessons", "labs", "infrastructure", "bench")
TOP_LEVEL_DIRS += (".ci", ".github")
TOP_LEVEL_FILES = {"pyproject.toml", "uv.lock", "_config.yml", "_toc.yml", "README.md"}
BACKTICKED = re.compile(r"`([^`\n]+)`")
REPO_PATH = re.compile(
    r"(?<![\w./-])((?:" + "|".join(re.escape(d) for d in TOP_LEVEL_DIRS) + r")/[\w./-]*)"
)
# Skeletons and examples: `lessons/NN_topic.ipynb`, `tests/{public,hidden}/`.
PLACEHOLDER = re.compile(r"NN|\{")
# A path inside reference_app/, as its own files cite them: `src/...`, `tests/...`, `LICENSE`.
TEMPLATE_PATH = re.compile(
    r"^(?:(?:src|tests|\.github)/[\w./-]+|README\.md|LICENSE|SECURITY\.md|\.env\.example)$"
)
# Markdown links: [text](target) and reference definitions [label]: target.
LINK_TARGET = re.compile(r"\]\(([^)\s]+)[^)]*\)|^\[[^\]]+\]:\s*(\S+)", re.MULTILINE)


def read(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def cited_paths(text: str) -> set[str]:
    """Repository paths named in ``text``: in backticks, code blocks and commands alike."""
    paths = {match.rstrip(".") for match in REPO_PATH.findall(text)}
    paths |= {token for token in BACKTICKED.findall(text) if token in TOP_LEVEL_FILES}
    return {path for path in paths if not PLACEHOLDER.search(path)}


def missing_paths(text: str, root: Path = REPO) -> list[str]:
    return sorted(path for path in cited_paths(text) if not (root / path).exists())


def test_the_project_files_exist() -> None:
    empty_or_missing = [
        name for name in GOVERNANCE_FILES if not (REPO / name).is_file() or not read(name).strip()
    ]
    assert empty_or_missing == []


def test_the_licence_is_the_one_the_projects_declare() -> None:
    for pyproject in (REPO / "pyproject.toml", TEMPLATE / "pyproject.toml"):
        declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["license"]
        assert declared == "MIT", f"{pyproject.relative_to(REPO)} declares {declared}"
    licence = read("LICENSE")
    assert licence.splitlines()[0] == "MIT License"
    assert MIT_GRANT in licence
    author = yaml.safe_load(read("_config.yml"))["author"]
    copyright_lines = [line for line in licence.splitlines() if line.startswith("Copyright")]
    assert copyright_lines == [f"Copyright (c) 2026 {author}"]


def test_the_code_of_conduct_is_the_contributor_covenant() -> None:
    text = read("CODE_OF_CONDUCT.md")
    assert text.startswith("# Contributor Covenant Code of Conduct")
    assert "https://www.contributor-covenant.org/version/2/1/code_of_conduct.html" in text


@pytest.mark.parametrize("page", PAGES_CITING_PATHS)
def test_every_path_a_project_page_cites_exists(page: str) -> None:
    assert cited_paths(read(page)), f"{page} cites no path: is the pattern still right?"
    assert missing_paths(read(page)) == [], f"{page} cites paths that do not exist"


def test_the_path_check_sees_a_missing_path() -> None:
    text = "See `reference_app/src/reference_app/core/no_such_module.py` and `_toc.yml`."
    assert missing_paths(text) == ["reference_app/src/reference_app/core/no_such_module.py"]
    assert cited_paths("`lessons/NN_topic.ipynb`, `labs/NN-name/`") == set()


def adr_metadata(text: str) -> dict[str, str]:
    """The ``- Key: value`` lines under the title (MADR's status, date and files)."""
    header = text.split("\n## ", 1)[0]
    return dict(re.findall(r"^- ([A-Z][\w ]+): (.+)$", header, re.MULTILINE))


def test_there_are_decision_records() -> None:
    assert len(ADRS) >= 10


@pytest.mark.parametrize("adr", ADRS, ids=lambda p: p.stem)
def test_a_decision_record_has_its_sections_status_and_date(adr: Path) -> None:
    text = adr.read_text(encoding="utf-8")
    number = adr.name[:4]
    assert text.startswith(f"# ADR {number}: "), f"{adr.name}: title must be '# ADR {number}: ...'"
    metadata = adr_metadata(text)
    status = ADR_STATUS.match(metadata.get("Status", ""))
    assert status, f"{adr.name}: status must be proposed, accepted, deprecated or superseded"
    if status.group(2):
        assert list(ADR_DIR.glob(f"{status.group(2)}-*.md")), f"{adr.name}: no such successor"
    date = dt.date.fromisoformat(metadata.get("Date", ""))
    assert dt.date(2026, 1, 1) <= date <= dt.datetime.now(dt.UTC).date()
    positions = [text.find(f"\n{section}\n") for section in ADR_SECTIONS]
    assert -1 not in positions, f"{adr.name}: needs the sections {ADR_SECTIONS}"
    assert positions == sorted(positions), f"{adr.name}: sections out of order"
    assert "<" not in re.sub(r"`[^`]*`", "", text), f"{adr.name}: raw HTML in a book page"


@pytest.mark.parametrize("adr", ADRS, ids=lambda p: p.stem)
def test_every_path_a_decision_record_cites_exists(adr: Path) -> None:
    text = adr.read_text(encoding="utf-8")
    implemented_in = cited_paths(adr_metadata(text).get("Implemented in", ""))
    # The metadata line may wrap: read the whole list item, up to the first heading.
    implemented_in |= cited_paths(text.split("- Implemented in:", 1)[-1].split("\n## ", 1)[0])
    assert implemented_in, f"{adr.name}: '- Implemented in:' must name the files"
    assert missing_paths(text) == [], f"{adr.name} cites paths that do not exist"


def test_the_index_lists_every_record_with_its_status_and_date() -> None:
    index = read("book/adr/index.md")
    rows = dict(re.findall(r"^\| \{doc\}`([\w-]+)` \| (.+) \|$", index, re.MULTILINE))
    assert sorted(rows) == [adr.stem for adr in ADRS]
    for adr in ADRS:
        metadata = adr_metadata(adr.read_text(encoding="utf-8"))
        assert rows[adr.stem] == f"{metadata['Status']} | {metadata['Date']}", adr.name


def test_the_book_publishes_every_record() -> None:
    toc = yaml.safe_load(read("_toc.yml"))
    index = [
        chapter
        for part in toc["parts"]
        for chapter in part["chapters"]
        if chapter["file"] == "book/adr/index"
    ]
    assert len(index) == 1, "book/adr/index must be in _toc.yml once"
    published = [section["file"] for section in index[0].get("sections", [])]
    assert published == [f"book/adr/{adr.stem}" for adr in ADRS]


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with one of its built-in (vendored, offline) schemas."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_issue_forms_pass_githubs_schemas() -> None:
    forms = [path for path in ISSUE_FORMS if path.name != "config.yml"]
    assert {path.name for path in forms} == {"bug_report.yml", "feature_request.yml"}
    result = check_jsonschema("vendor.github-issue-forms", *forms)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_jsonschema("vendor.github-issue-config", ISSUE_TEMPLATES / "config.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_a_broken_form(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: Broken\nbody:\n  - type: textarea\n", encoding="utf-8")
    assert check_jsonschema("vendor.github-issue-forms", broken).returncode != 0


@pytest.mark.parametrize("form", ISSUE_FORMS, ids=lambda p: p.name)
def test_an_issue_form_has_what_github_shows(form: Path) -> None:
    data = yaml.safe_load(form.read_text(encoding="utf-8"))
    if form.name == "config.yml":
        assert data["blank_issues_enabled"] is False
        links = data["contact_links"]
        assert any("security/advisories/new" in link["url"] for link in links)
        assert all({"name", "url", "about"} <= set(link) for link in links)
        return
    assert {"name", "description", "body"} <= set(data)
    fields = [element for element in data["body"] if element["type"] != "markdown"]
    assert all(element["attributes"]["label"] and element.get("id") for element in fields)
    assert any(element.get("validations", {}).get("required") for element in fields)


def codeowners_rules() -> list[tuple[str, list[str]]]:
    rules = []
    for line in CODEOWNERS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pattern, *owners = line.split()
            rules.append((pattern, owners))
    return rules


def test_codeowners_names_paths_that_exist_and_valid_owners() -> None:
    rules = codeowners_rules()
    assert rules[0][0] == "*", "the catch-all comes first: the last matching line wins"
    owner = re.compile(r"^@[\w-]+(/[\w-]+)?$|^[^@\s]+@[^@\s]+$")
    for pattern, owners in rules:
        assert owners, f"CODEOWNERS: {pattern} has no owner"
        assert all(owner.match(name) for name in owners), f"CODEOWNERS: {pattern} {owners}"
        if pattern != "*":
            assert pattern.startswith("/"), f"CODEOWNERS: anchor {pattern} at the root"
            assert (REPO / pattern.strip("/")).exists(), f"CODEOWNERS: {pattern} does not exist"


def load_sync_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sync_template_lock", REPO / ".ci" / "sync_template_lock.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_template_has_its_own_project_files() -> None:
    for name in TEMPLATE_PROJECT_FILES:
        assert (TEMPLATE / name).is_file(), f"reference_app/{name} is missing"
    assert (TEMPLATE / "LICENSE").read_text(encoding="utf-8") == read("LICENSE")
    # The copy that test_template_standalone.py and a team make keeps them.
    ignored = load_sync_script().NOT_COPIED(str(TEMPLATE), TEMPLATE_PROJECT_FILES)
    assert set(ignored) == set()


def links_leaving(folder: Path, text: str) -> list[str]:
    """Markdown links of ``text`` (a file in ``folder``) that point outside ``folder``."""
    leaving = []
    for inline, reference in LINK_TARGET.findall(text):
        target = (inline or reference).split("#", 1)[0]
        if not target or re.match(r"^[a-z][a-z+.-]*:", target):
            if "fastapi-production-workbook" in target:
                leaving.append(target)  # the workbook's own repository or site
            continue
        if not (folder / target).resolve().is_relative_to(folder.resolve()):
            leaving.append(target)
    return leaving


@pytest.mark.parametrize("name", [n for n in TEMPLATE_PROJECT_FILES if n.endswith(".md")])
def test_the_template_files_link_nowhere_outside_the_folder(name: str) -> None:
    text = (TEMPLATE / name).read_text(encoding="utf-8")
    assert links_leaving(TEMPLATE, text) == []
    assert "../" not in text
    workbook_paths = [path for path in REPO_PATH.findall(text) if not path.startswith(".github/")]
    assert workbook_paths == [], f"reference_app/{name} names files a copy does not have"
    local = {token for token in BACKTICKED.findall(text) if TEMPLATE_PATH.match(token)}
    assert local, f"reference_app/{name} should name the template's own files"
    assert [path for path in local if not (TEMPLATE / path).exists()] == []


def test_the_link_check_sees_links_that_leave() -> None:
    text = (
        "[a](../infrastructure/README.md) [b](SECURITY.md) [c](https://docs.astral.sh/uv/)\n"
        "[d]: https://github.com/fastapi-production-workbook/fastapi-production-workbook\n"
    )
    assert links_leaving(TEMPLATE, text) == [
        "../infrastructure/README.md",
        "https://github.com/fastapi-production-workbook/fastapi-production-workbook",
    ]
