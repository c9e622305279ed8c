"""The real app for lab tests: settings, an HTTP client, accounts, and the error shape.

Every test gets its own app from ``create_app`` on its own throwaway SQLite database, talking
over httpx's ASGI transport: no server, no port, and nothing shared between tests. The harness
is the app's own (:mod:`reference_app.testing`, which its tests use too); labs add their
defaults here.
"""

from typing import TypeVar

from reference_app.core.config import API_PREFIX, Settings
from reference_app.testing import (
    DEFAULT_PASSWORD,
    Account,
    app_client,
    error_of,
    settings_values,
    sign_up,
)

__all__ = [
    "API",
    "DEFAULT_PASSWORD",
    "Account",
    "app_client",
    "error_of",
    "make_settings",
    "sign_up",
]

API = API_PREFIX

SettingsT = TypeVar("SettingsT", bound=Settings)


def make_settings(
    database_url: str, settings_class: type[SettingsT] = Settings, **overrides: object
) -> SettingsT:
    """Test settings (nothing read from the machine), with the labs' defaults.

    Rate limits are off: a test that signs up a few accounts must not be refused for it. The
    app logs only warnings and errors: a failing test then shows the student what went wrong,
    not a line for every request it made. ``settings_class`` takes a lab's own subclass.
    """
    values = settings_values(
        database_url, **{"rate_limit_enabled": False, "log_level": "WARNING", **overrides}
    )
    settings: SettingsT = settings_class.model_validate(values)
    return settings
