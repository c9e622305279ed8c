"""Starters generated from marked solutions: the markers, and what students really get.

A lab without a ``starter/`` folder keeps one copy of its code, ``solution/``, with the answers
marked (``workbook.lab_starter``). These tests pin the markers' meaning and prove, for every
such lab, that the folder graded as "the starter" and the ``starter/`` of the released student
copy are both exactly what the generator makes from the solution, with no answer left in.

Run alone: ``uv run pytest labs/tests/test_lab_starter.py --no-cov``
"""

import filecmp
from pathlib import Path

import pytest

from workbook.lab_catalog import Lab, LabError, all_labs, find_lab, manifest_problems
from workbook.lab_release import release
from workbook.lab_starter import MARKERS, MarkerError, starter_text, write_starter

GENERATED = [lab for lab in all_labs() if lab.starter_is_generated]

SOLUTION = '''\
import uuid  # SOLUTION NO PROMPT


def answer() -> int:
    """Forty-two."""
    # BEGIN SOLUTION
    return 42
    # END SOLUTION


"""  # BEGIN PROMPT
def test_something() -> None: ...
"""  # END PROMPT


# BEGIN SOLUTION
def test_answer() -> None:
    assert answer() == 42
# END SOLUTION

# BEGIN SOLUTION NO PROMPT
KEY = uuid.uuid4()
# END SOLUTION
'''

STARTER = '''\


def answer() -> int:
    """Forty-two."""
    raise NotImplementedError


def test_something() -> None: ...

'''


def test_markers_become_stubs_prompts_or_nothing() -> None:
    assert starter_text(SOLUTION) == STARTER
    compile(STARTER, "starter", "exec")


def test_text_without_markers_is_unchanged() -> None:
    text = '"""A module."""\n\nVALUE = 1\n'
    assert starter_text(text) == text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("# BEGIN SOLUTION\nx = 1\n", "without '# END SOLUTION'"),
        ("x = 1\n# END SOLUTION\n", "without the marker that opens it"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside a solution block"),
        ('""" # BEGIN PROMPT\npass\n""" # END PROMPT\nx = 1\n', "must be followed by"),
        ('""" # BEGIN PROMPT\npass\n', "never closed"),
    ],
)
def test_markers_that_do_not_pair_up_are_refused_with_the_line(text: str, problem: str) -> None:
    with pytest.raises(MarkerError, match=problem):
        starter_text(text, "lab.py")


def test_a_lab_whose_markers_are_broken_is_not_ready(tmp_path: Path) -> None:
    """The manifest check names the problem; asking for the starter is one clean error."""
    lab_folder = tmp_path / "labs" / "00-broken"
    (lab_folder / "solution").mkdir(parents=True)
    (lab_folder / "lab.toml").write_text('lesson = "00_tour"\nfiles = ["lab.py"]\n')
    (lab_folder / "solution" / "lab.py").write_text("# BEGIN SOLUTION\nx = 1\n")
    lab = find_lab("0", labs_dir=lab_folder.parent)
    assert lab.starter_is_generated
    assert any("without '# END SOLUTION'" in p for p in manifest_problems(lab))
    with pytest.raises(LabError, match="Cannot generate the starter"):
        _ = lab.starter


def test_a_generated_starter_needs_marked_answers(tmp_path: Path) -> None:
    lab_folder = tmp_path / "labs" / "00-unmarked"
    (lab_folder / "solution").mkdir(parents=True)
    (lab_folder / "lab.toml").write_text('lesson = "00_tour"\nfiles = ["lab.py"]\n')
    (lab_folder / "solution" / "lab.py").write_text("x = 1\n")
    problems = manifest_problems(find_lab("0", labs_dir=lab_folder.parent))
    assert "solution/lab.py marks no answer: its starter would be the solution" in problems


def test_at_least_one_lab_generates_its_starter() -> None:
    assert GENERATED, "no lab uses a generated starter: these tests would check nothing"


@pytest.mark.parametrize("lab", GENERATED, ids=[lab.id for lab in GENERATED])
def test_students_get_the_starter_generated_from_the_solution(lab: Lab, tmp_path: Path) -> None:
    expected = tmp_path / "expected"
    write_starter(lab.solution, expected)
    copy = tmp_path / "copy"
    release(lab, copy)
    for graded_or_released in (lab.starter, copy / "starter"):
        comparison = filecmp.dircmp(expected, graded_or_released)
        assert comparison.left_only == comparison.right_only == [], graded_or_released
        _, mismatch, errors = filecmp.cmpfiles(
            expected, graded_or_released, comparison.common_files, shallow=False
        )
        assert mismatch == errors == [], graded_or_released
    for name in lab.files:
        starter = (copy / "starter" / name).read_text(encoding="utf-8")
        assert not any(marker in starter for marker in MARKERS), name
        assert starter != (lab.solution / name).read_text(encoding="utf-8")
        compile(starter, name, "exec")
