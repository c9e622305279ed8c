"""Lab 1 fixtures: the student's ``lab_settings`` module and a secure production baseline."""

from types import ModuleType
from typing import Any

import pytest
from labsupport.student import import_student

pytest_plugins = ["labsupport.plugin"]

# Everything else production requires, so a test fails only for the setting it is about.
SECURE_PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "a-production-secret-key-of-at-least-thirty-two-characters",
    "database_url": "postgresql+asyncpg://app@db.internal:5432/app",
    "metrics_bearer_token": "a-metrics-token-for-prometheus",
}


@pytest.fixture
def lab() -> ModuleType:
    """The student's module (imported per test, so a broken file fails tests, not the run)."""
    return import_student("lab_settings")


@pytest.fixture
def production(lab: ModuleType) -> Any:
    """Build ``LabSettings`` for production with ``overrides`` on top of a secure baseline."""

    def build(**overrides: Any) -> Any:
        return lab.LabSettings(_env_file=None, **{**SECURE_PRODUCTION, **overrides})

    return build
