"""Importing the student's code so that a broken module fails tests, not the whole run."""

import importlib
from types import ModuleType

import pytest


def import_student(name: str) -> ModuleType:
    """Import the student's module ``name``; any failure fails the test with a clear message.

    The plugin put the lab folder first on ``sys.path``, so this finds the student's file.
    """
    try:
        return importlib.import_module(name)
    except Exception as exc:  # whatever the student's module raises while importing
        pytest.fail(
            f"could not import {name}.py from the lab folder: {type(exc).__name__}: {exc}",
            pytrace=False,
        )
