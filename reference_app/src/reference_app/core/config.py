"""Application settings: the one place configuration enters the app.

Every value comes from an environment variable prefixed ``APP_`` (or a ``.env`` file), so the
same image runs in development, CI and production. Development needs no configuration at all;
production refuses to start with an insecure configuration and says which variable to fix.
"""

import json
import secrets
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_KEY_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureConfigurationError(ValueError):
    """Raised when production settings would be unsafe; the message names the variable to set."""


def _split_comma_separated(value: Any) -> Any:
    """Accept ``a,b`` as well as a JSON list, since both are common in deployment tooling."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Typed configuration. Read once at start-up and passed to ``create_app``."""

    model_config = SettingsConfigDict(
        env_prefix="APP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A validation error must never print the values it refused (they include the key).
        hide_input_in_errors=True,
    )

    project_name: str = "Reference App"
    environment: Environment = Environment.DEVELOPMENT
    api_prefix: str = "/api/v1"

    database_url: str = "sqlite+aiosqlite:///./reference_app.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    database_timeout_seconds: float = Field(default=5.0, gt=0)
    redis_url: str | None = None
    auto_migrate: bool | None = Field(
        default=None,
        description="Apply migrations at start-up. Defaults to on in development only.",
    )

    secret_key: SecretStr | None = None
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = Field(default=30, ge=1)
    refresh_token_expire_days: int = Field(default=7, ge=1)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    redis_key_prefix: str = Field(
        default="refapp:", description="Prefix of every Redis key, so apps can share a server."
    )

    cache_enabled: bool = True
    cache_user_ttl_seconds: int = Field(default=3600, ge=1)
    cache_post_ttl_seconds: int = Field(default=1800, ge=1)
    cache_post_list_ttl_seconds: int = Field(default=1800, ge=1)
    cache_ttl_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Spread expiries by up to this fraction."
    )

    rate_limit_enabled: bool = True
    rate_limit_default: str = Field(default="100/minute", description="Per client IP.")
    rate_limit_auth_per_ip: str = "20/minute"
    rate_limit_auth_per_account: str = "5/minute"
    rate_limit_overrides: dict[str, str] = Field(
        default_factory=dict,
        description='Per-endpoint limits, e.g. {"POST /api/v1/posts": "30/minute"}.',
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="IPs/CIDRs whose X-Forwarded-For is believed (e.g. Traefik's address).",
    )

    events_replay_size: int = Field(default=1000, ge=1, description="Events kept for resume.")
    events_heartbeat_seconds: float = Field(default=15.0, gt=0)

    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON log lines. Defaults to on in production only."
    )

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _parse_list(cls, value: Any) -> Any:
        return _split_comma_separated(value)

    @field_validator("database_url")
    @classmethod
    def _use_async_driver(cls, value: str) -> str:
        """Hosting platforms hand out ``postgres://`` URLs; the app needs the asyncpg driver."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value.removeprefix(prefix)
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise InsecureConfigurationError(
                f"APP_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if "*" in self.cors_origins:
            raise InsecureConfigurationError(
                "APP_CORS_ORIGINS must list explicit origins in production, not '*'"
            )
        if self.is_sqlite:
            raise InsecureConfigurationError(
                "APP_DATABASE_URL must point to PostgreSQL in production, not SQLite"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def should_auto_migrate(self) -> bool:
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.environment is Environment.DEVELOPMENT

    @property
    def should_log_json(self) -> bool:
        if self.log_json is not None:
            return self.log_json
        return self.environment is Environment.PRODUCTION

    @cached_property
    def signing_key(self) -> str:
        """The JWT signing key.

        Outside production a missing key is replaced by a random one for this process: the app
        works with zero configuration, and tokens simply stop working after a restart.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return secrets.token_urlsafe(48)


def get_settings() -> Settings:
    """Read settings from the environment (a function so tests and lessons can call it anew)."""
    return Settings()
