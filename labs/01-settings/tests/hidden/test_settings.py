"""Lab 1, hidden tests: the instructor grades with these as well as the public ones."""

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from labsupport.app import app_client, make_settings
from pydantic import ValidationError

from reference_app.main import create_app
from reference_app.services import services_of


def test_hosts_are_read_from_a_json_list(lab: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """APP_ALLOWED_HOSTS may also be a JSON list, as APP_CORS_ORIGINS may."""
    monkeypatch.setenv("APP_ALLOWED_HOSTS", '["api.example.com", "example.com"]')
    assert lab.LabSettings(_env_file=None).allowed_hosts == ["api.example.com", "example.com"]


def test_hosts_are_normalised(lab: ModuleType) -> None:
    """Strip and lower-case every entry and drop empty ones: host names ignore case."""
    settings = lab.LabSettings(_env_file=None, allowed_hosts=" API.Example.COM ,, example.com")
    assert settings.allowed_hosts == ["api.example.com", "example.com"]


@pytest.mark.parametrize(
    "entry", ["https://example.com", "example.com:8000", "example.com/admin", "exa mple.com"]
)
def test_a_url_or_a_port_is_not_a_host(lab: ModuleType, entry: str) -> None:
    """An entry that does not match HOST_PATTERN (a URL, a port, a path) is a ValidationError."""
    with pytest.raises(ValidationError):
        lab.LabSettings(_env_file=None, allowed_hosts=[entry])


def test_wildcard_subdomains_are_fine_in_production(production: Any) -> None:
    """Only a bare "*" is refused in production; "*.example.com" names a domain."""
    assert production(allowed_hosts=["*.example.com"]).allowed_hosts == ["*.example.com"]


def test_production_refuses_an_empty_list(production: Any) -> None:
    """An empty list would refuse every request: production must refuse it, naming
    APP_ALLOWED_HOSTS."""
    with pytest.raises(ValidationError, match="APP_ALLOWED_HOSTS"):
        production(allowed_hosts=[])


def test_the_app_s_own_production_checks_still_apply(production: Any) -> None:
    """Your model validator must not replace the app's: give it a new name, not
    `_refuse_insecure_production`."""
    with pytest.raises(ValidationError, match="APP_SECRET_KEY"):
        production(allowed_hosts=["api.example.com"], secret_key="too-short")


async def test_the_app_runs_with_the_lab_settings(lab: ModuleType, tmp_path: Path) -> None:
    """`create_app` accepts a LabSettings: it is still a Settings."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    settings = make_settings(url, lab.LabSettings, allowed_hosts="api.example.com")
    app = create_app(settings)
    async with app_client(app) as client:
        response = await client.get("/api/v1/health/live")
    assert response.status_code == 200
    assert services_of(app).settings.allowed_hosts == ["api.example.com"]
