"""Lab 1 — a validated setting that production enforces (reference solution).

``LabSettings`` is the app's ``Settings`` plus ``allowed_hosts`` (``APP_ALLOWED_HOSTS``): the
host names the app answers to. Any host is fine on a laptop; production must say which.
"""

import json
import re
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from reference_app.core.config import Environment, InsecureConfigurationError, Settings

# A host name, optionally behind a "*." wildcard (e.g. *.example.com), or "*" for any host.
# Lower case only: normalise the entries before you match them.
HOST_PATTERN = re.compile(r"\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")
ANY_HOST = "*"


class LabSettings(Settings):
    """The app's settings plus ``allowed_hosts``."""

    # NoDecode: pydantic-settings would otherwise parse the variable as JSON before our
    # validator sees it, and "a.com,b.com" is not JSON.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [ANY_HOST],
        description="Host names the app answers to; '*.example.com' covers subdomains.",
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        """Accept ``a.com, b.com`` as well as a JSON list, like ``APP_CORS_ORIGINS``."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else text.split(",")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _check_hosts(cls, hosts: list[str]) -> list[str]:
        """Host names compare case-insensitively; a URL or a port is a common mistake here."""
        normalised = [host.strip().lower() for host in hosts if host.strip()]
        for host in normalised:
            if not HOST_PATTERN.fullmatch(host):
                raise ValueError(
                    "each entry of APP_ALLOWED_HOSTS must be a host name such as "
                    "api.example.com or *.example.com, without scheme, port or path"
                )
        return normalised

    # A new name: reusing the app's `_refuse_insecure_production` would replace its checks.
    @model_validator(mode="after")
    def _refuse_any_host_in_production(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        if not self.allowed_hosts or ANY_HOST in self.allowed_hosts:
            raise InsecureConfigurationError(
                "APP_ALLOWED_HOSTS must list the host names the app serves in production "
                "(e.g. api.example.com), not '*'"
            )
        return self
