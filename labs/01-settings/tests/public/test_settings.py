"""Lab 1, public tests: run them with ``workbook lab check 01``."""

from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError


def test_any_host_is_allowed_by_default(lab: ModuleType) -> None:
    """Declare `allowed_hosts: list[str]` on LabSettings with the default ["*"]."""
    assert lab.LabSettings(_env_file=None).allowed_hosts == ["*"]


def test_hosts_are_read_from_a_comma_separated_variable(
    lab: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APP_ALLOWED_HOSTS="a.com, b.com" must give ["a.com", "b.com"]: mark the field NoDecode
    and split the text in a mode="before" field validator."""
    monkeypatch.setenv("APP_ALLOWED_HOSTS", "api.example.com, example.com")
    assert lab.LabSettings(_env_file=None).allowed_hosts == ["api.example.com", "example.com"]


def test_production_refuses_any_host(production: Any) -> None:
    """In production, "*" must be refused by a model validator raising
    InsecureConfigurationError with a message that names APP_ALLOWED_HOSTS."""
    with pytest.raises(ValidationError, match="APP_ALLOWED_HOSTS"):
        production()


def test_production_accepts_explicit_hosts(production: Any) -> None:
    """Production with explicit host names must start: refuse only "*" (and an empty list)."""
    settings = production(allowed_hosts=["api.example.com"])
    assert settings.allowed_hosts == ["api.example.com"]
