"""Starters generated from solutions: one copy of a lab's code, with the answers marked.

Keeping a starter and a solution by hand means two files that drift apart: a fix to the
solution's imports or docstring never reaches the starter. Like ``nbgrader`` and ``otter assign``,
a lab can instead keep only ``solution/``, with the parts students write marked; its starter is
generated from it whenever it is needed (``workbook lab check`` and ``grade`` without ``--src``,
``release``, the meta-tests). A lab without a ``starter/`` folder is such a lab.

The markers (Python comments, so the solution stays ordinary, runnable code)::

    async def log_in(client, email, password):
        \"\"\"The docstring stays: it is the student's instructions.\"\"\"
        # BEGIN SOLUTION
        response = await client.post(...)        # removed from the starter, and replaced by
        return response.json()["access_token"]   # `raise NotImplementedError` (nbgrader's stub)
        # END SOLUTION

    \"\"\" # BEGIN PROMPT
    async def test_the_api_answers(client): ...  # what the starter has instead of the next
    \"\"\" # END PROMPT                           # solution block (inert text in the solution)
    # BEGIN SOLUTION
    ...
    # END SOLUTION

    # BEGIN SOLUTION NO PROMPT                   # removed, with nothing in its place
    ...
    # END SOLUTION

    import uuid  # SOLUTION NO PROMPT           # one line only the solution needs

The prompt and ``NO PROMPT`` forms are otter-grader's.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
BEGIN_NO_PROMPT = "# BEGIN SOLUTION NO PROMPT"
END = "# END SOLUTION"
BEGIN_PROMPT = '""" # BEGIN PROMPT'
END_PROMPT = '""" # END PROMPT'
LINE_MARKER = "# SOLUTION NO PROMPT"
STUB = "raise NotImplementedError"
MARKERS = (BEGIN, END, BEGIN_PROMPT, END_PROMPT, LINE_MARKER)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")


class MarkerError(ValueError):
    """Markers that do not pair up; the message names the file and line."""


def has_markers(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def starter_text(solution: str, name: str = "<solution>") -> str:
    """The starter version of one solution file's text (see the module docstring)."""
    out: list[str] = []
    prompt: list[str] | None = None  # lines of a prompt waiting for its solution block
    block_start = 0  # line number of the open solution block, 0 when none is open
    in_prompt = False
    for number, line in enumerate(solution.splitlines(keepends=True), start=1):
        marker = " ".join(line.split())  # as ruff format spaces it: '"""  # END PROMPT'
        where = f"{name}, line {number}"
        if in_prompt:
            if marker == END_PROMPT:
                in_prompt = False
            elif has_markers(line):
                raise MarkerError(f"{where}: a marker inside a prompt")
            else:
                assert prompt is not None
                prompt.append(line)
        elif block_start:
            if marker == END:
                block_start = 0
            elif has_markers(line):
                raise MarkerError(f"{where}: a marker inside a solution block")
        elif marker == BEGIN_PROMPT:
            if prompt is not None:
                raise MarkerError(f"{where}: two prompts in a row")
            in_prompt, prompt = True, []
        elif marker in (BEGIN, BEGIN_NO_PROMPT):
            block_start = number
            if prompt is not None:
                if marker == BEGIN_NO_PROMPT:
                    raise MarkerError(f"{where}: a prompt before a NO PROMPT block")
                out += prompt
                prompt = None
            elif marker == BEGIN:
                indent = line[: len(line) - len(line.lstrip())]
                out.append(f"{indent}{STUB}\n")
        elif prompt is not None:  # between a prompt and its block: only blank lines, dropped
            if marker:
                raise MarkerError(f"{where}: a prompt must be followed by {BEGIN!r}")
        elif marker.endswith(LINE_MARKER) and marker != LINE_MARKER:
            continue
        elif has_markers(line):
            raise MarkerError(f"{where}: {marker!r} without the marker that opens it")
        else:
            out.append(line)
    if in_prompt or prompt is not None:
        raise MarkerError(f"{name}: a prompt that is never closed or never used")
    if block_start:
        raise MarkerError(f"{name}, line {block_start}: {BEGIN!r} without {END!r}")
    return "".join(out)


def write_starter(solution_dir: Path, out: Path) -> list[Path]:
    """Write the starter made from ``solution_dir`` into ``out``; return the files written.

    Python files lose their marked answers; other files are copied as they are.
    """
    shutil.copytree(solution_dir, out, ignore=IGNORED)
    written = sorted(path for path in out.rglob("*") if path.is_file())
    for path in written:
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            name = str(solution_dir / path.relative_to(out))
            path.write_text(starter_text(text, name), encoding="utf-8")
    return written


def generated_starter(lab_id: str, solution_dir: Path) -> Path:
    """The starter made from ``solution_dir``, in a folder under the system's temporary directory.

    The folder is named after a digest of the solution, so it is written once per version of
    the solution and every later call (the same process or another) reuses it. It is written
    beside its final name and renamed into place: a concurrent run never sees it half-written.
    """
    digest = hashlib.sha256()
    for path in sorted(solution_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(solution_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    root = Path(tempfile.gettempdir()) / "workbook-starters"
    final = root / f"{lab_id}-{digest.hexdigest()[:16]}" / "starter"
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{lab_id}-", dir=root))
    try:
        write_starter(solution_dir, scratch / "starter")
        final.parent.mkdir(exist_ok=True)
        try:
            os.rename(scratch / "starter", final)
        except OSError:  # another process got there first: its copy is the same
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final
