"""Keep the book's execution cache honest about the machine it ran on.

Jupyter Book re-executes a lesson only when its code cells change. But a lesson's output also
depends on the machine: with Redis up it uses Redis, with helm installed it lints the chart,
without it it says the step was skipped. Installing a tool changes no cell, so the cached,
tool-less page would be published again. The cache is therefore stamped with what the machine
had (the doctor's findings and the versions the install scripts pinned) and thrown away when
that changes, or on ``workbook book --fresh``.
"""

import json
import shutil
from pathlib import Path

from workbook.doctor import run_checks
from workbook.tools import LOCAL_TOOL_DIR

STAMP_NAME = "workbook-environment.json"
PINNED_VERSIONS = LOCAL_TOOL_DIR.parent / "stamps"
"""One file per tool, holding the pinned spec the install scripts installed."""


def environment_fingerprint() -> dict[str, str]:
    """What the lessons can use here: each doctor item found or missing, each pinned version."""
    fingerprint = {f.name: "found" if f.found else "missing" for f in run_checks()}
    if PINNED_VERSIONS.is_dir():
        for stamp in sorted(PINNED_VERSIONS.iterdir()):
            fingerprint[f"pinned {stamp.name}"] = stamp.read_text(encoding="utf-8").strip()
    return fingerprint


def prepare(cache: Path, *, fresh: bool) -> str | None:
    """Clear ``cache`` if asked or if the machine changed since it was filled; say why.

    Returns the reason the cache was cleared, or None when it is kept (or there is none yet).
    The new fingerprint is written either way, so the next build compares against this one.
    """
    current = environment_fingerprint()
    stamp = cache / STAMP_NAME
    reason = None
    if cache.exists():
        if fresh:
            reason = "--fresh asked for a fresh execution"
        elif not stamp.is_file():
            reason = "the cache does not say which tools it ran with"
        else:
            changed = _differences(json.loads(stamp.read_text(encoding="utf-8")), current)
            if changed:
                reason = "the machine changed since the last build: " + ", ".join(changed)
        if reason:
            shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(current, indent=2, sort_keys=True), encoding="utf-8")
    return reason


def _differences(before: dict[str, str], now: dict[str, str]) -> list[str]:
    return [
        f"{name} {before.get(name, 'unknown')} -> {now.get(name, 'unknown')}"
        for name in sorted(before.keys() | now.keys())
        if before.get(name) != now.get(name)
    ]
