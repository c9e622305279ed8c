"""Rules every lesson notebook follows (see the workbook issue): checked, not hoped for."""

import json
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("*.ipynb"))


def cells(path: Path, kind: str) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


def test_there_are_lessons() -> None:
    assert len(LESSONS) >= 5


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_committed_without_outputs(lesson: Path) -> None:
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{lesson.name}: clear the outputs before committing"
            assert cell["execution_count"] is None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_runs_the_real_app_the_right_way(lesson: Path) -> None:
    code = "\n".join(cells(lesson, "code"))
    assert "reference_app" in code
    assert "asyncio.run(" not in code, "use top-level await in notebooks"
    assert "uvicorn.run(" not in code, "start servers with uvicorn.Server(...).serve() tasks"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_opens_with_goals_and_closes_with_checklist_and_exercises(lesson: Path) -> None:
    markdown = cells(lesson, "markdown")
    assert markdown[0].startswith("# Lesson")
    assert "What you will be able to do" in "\n".join(markdown[:3])
    headings = "\n".join(markdown[-4:])
    assert "Checklist" in headings
    assert "Exercises" in headings
