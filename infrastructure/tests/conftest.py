"""Fixtures for the infrastructure checks; the helpers themselves live in infra_tools.py."""

from pathlib import Path

import pytest
from infra_tools import REPO_ROOT


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
