"""Application settings: the one place configuration enters the app.

Every value comes from an environment variable prefixed ``APP_`` (or a ``.env`` file), so the
same image runs in development, CI and production. Development needs no configuration at all;
production refuses to start with an insecure configuration and says which variable to fix.
"""

import hashlib
import json
import secrets
import tempfile
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

MIN_SECRET_KEY_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16


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


API_PREFIX = "/api/v1"
"""Where the versioned API lives. A constant, not a setting: clients, the OpenAPI document, the
proxy routes and the probes in ``infrastructure/`` all name it, so changing it is a new version
of the API, made in code. Everything that needs the prefix (routing, rate limiting, tracing)
reads it from here."""


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

    database_url: str = "sqlite+aiosqlite:///./reference_app.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    database_timeout_seconds: float = Field(default=5.0, gt=0)
    redis_url: str | None = None
    redis_max_connections: int = Field(
        default=500,
        ge=2,
        description="Redis connections per app process; requests beyond them wait for one (up "
        "to a second) rather than fail.",
    )
    redis_breaker_failures: int = Field(
        default=3, ge=1, description="Redis failures in a row that stop requests asking it."
    )
    redis_breaker_cooldown_seconds: float = Field(
        default=5.0, gt=0, description="How long requests skip Redis before one tries it again."
    )
    max_request_body_bytes: int = Field(
        default=1_048_576, ge=1, description="Larger request bodies are refused with 413."
    )
    max_request_header_bytes: int = Field(
        default=32_768, ge=1024, description="Larger request headers are refused with 431."
    )
    auto_migrate: bool | None = Field(
        default=None,
        description="Apply migrations at start-up. Defaults to on in development only.",
    )

    secret_key: SecretStr | None = None
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = Field(default=30, ge=1)
    refresh_token_expire_days: int = Field(default=7, ge=1)
    refresh_reuse_grace_seconds: int = Field(
        default=10,
        ge=0,
        le=60,
        description="A rotated refresh token presented again this soon gets the same successor "
        "instead of ending the session (two tabs refreshing at once). 0: no grace.",
    )

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    redis_key_prefix: str = Field(
        default="refapp:", description="Prefix of every Redis key, so apps can share a server."
    )

    cache_enabled: bool = True
    cache_user_ttl_seconds: int = Field(default=3600, ge=1)
    cache_post_ttl_seconds: int = Field(default=1800, ge=1)
    cache_post_list_ttl_seconds: int = Field(default=1800, ge=1)
    cache_token_check_ttl_seconds: int = Field(
        default=30,
        ge=0,
        description="How long a 'not revoked' answer of the logout denylist is cached (0: never).",
    )
    cache_near_ttl_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long a process keeps a Redis cache entry it read (0: never); a change "
        "made on any instance ends it sooner.",
    )
    cache_near_max_entries: int = Field(default=10_000, ge=1)
    cache_ttl_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Spread expiries by up to this fraction."
    )

    rate_limit_enabled: bool = True
    rate_limit_default: str = Field(default="100/minute", description="Per client IP.")
    rate_limit_auth_per_ip: str = "20/minute"
    rate_limit_auth_per_account: str = "5/minute"
    rate_limit_posts_per_author: str = Field(
        default="30/minute", description="New posts per author, from any address."
    )
    rate_limit_overrides: dict[str, str] = Field(
        default_factory=dict,
        description='Per-endpoint limits, e.g. {"GET /api/v1/posts/{post_id}": "300/minute"}.',
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="IPs/CIDRs whose X-Forwarded-For is believed (e.g. Traefik's address).",
    )

    events_replay_size: int = Field(default=1000, ge=1, description="Events kept for resume.")
    events_heartbeat_seconds: float = Field(default=15.0, gt=0)

    # Background jobs (see reference_app/jobs/).
    celery_broker_url: str | None = Field(
        default=None,
        description="Defaults to APP_REDIS_URL; with neither, an embedded file-system queue.",
    )
    celery_key_prefix: str = Field(
        default="", description="Prefix of Celery's Redis keys (empty: plain `celery` keys)."
    )
    jobs_queue_dir: str | None = Field(
        default=None, description="The embedded queue's directory (default: next to SQLite)."
    )
    jobs_worker_in_process: bool | None = Field(
        default=None,
        description="Run a worker thread in the API process. Defaults to on when the embedded "
        "queue is used, except in the test environment.",
    )
    jobs_max_retries: int = Field(default=3, ge=0)
    jobs_retry_backoff_seconds: float = Field(default=60.0, gt=0)
    jobs_retry_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    jobs_cleanup_schedule: str = Field(
        default="0 2 * * *", description="Cron expression (UTC) of the daily cleanup."
    )
    export_retention_days: int = Field(default=7, ge=1)
    dead_letter_retention_days: int = Field(default=30, ge=1)
    sent_email_retention_days: int = Field(default=30, ge=1)
    password_reset_expire_minutes: int = Field(default=30, ge=1)
    frontend_url: str = Field(
        default="http://localhost:3000", description="Base of the links sent in emails."
    )

    email_backend: Literal["console", "file", "smtp"] | None = Field(
        default=None, description="Defaults to smtp in production, console elsewhere."
    )
    email_from: str = "Reference App <no-reply@example.com>"
    email_file_dir: str = "./sent_emails"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    gc_freeze_after_startup: bool | None = Field(
        default=None,
        description="Hide the objects alive after start-up from the garbage collector, so its "
        "full collections pause requests for milliseconds, not a tenth of a second. Defaults to "
        "on in production only.",
    )

    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON log lines. Defaults to on in production only."
    )

    metrics_enabled: bool = Field(default=True, description="Serve GET /metrics (Prometheus).")
    worker_metrics_port: int = Field(
        default=9808,
        ge=0,
        le=65535,
        description="Port of a `celery worker`'s own /metrics (0: none). The API does not use it.",
    )
    metrics_bearer_token: SecretStr | None = Field(
        default=None,
        description="When set, GET /metrics requires 'Authorization: Bearer <it>'. Required in "
        "production while metrics are enabled.",
    )

    @field_validator("metrics_bearer_token", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: Any) -> Any:
        """``APP_METRICS_BEARER_TOKEN=`` (as Compose writes an unset ``${VAR:-}``) means none."""
        return None if value == "" else value

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
        token = self.metrics_bearer_token.get_secret_value() if self.metrics_bearer_token else ""
        if self.metrics_enabled and len(token) < MIN_METRICS_TOKEN_LENGTH:
            # /metrics shows routes, traffic, error rates and the version: not for the internet.
            raise InsecureConfigurationError(
                f"APP_METRICS_BEARER_TOKEN must be set to a random string of at least "
                f"{MIN_METRICS_TOKEN_LENGTH} characters in production, and Prometheus configured "
                "to send it as a bearer token (generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(32))"), '
                "or set APP_METRICS_ENABLED=false"
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
    def jobs_broker_url(self) -> str:
        """Where jobs are queued: the explicit broker, else Redis, else the embedded queue."""
        return self.celery_broker_url or self.redis_url or "filesystem://"

    @property
    def uses_embedded_queue(self) -> bool:
        return self.jobs_broker_url.startswith("filesystem://")

    @property
    def embedded_queue_dir(self) -> Path:
        """Next to a SQLite database file, else a directory of the system's temp folder."""
        if self.jobs_queue_dir:
            return Path(self.jobs_queue_dir)
        # Parsed as SQLAlchemy parses it, so a query string (``?timeout=30``) is not taken for
        # part of the file name.
        database_path = make_url(self.database_url).database if self.is_sqlite else None
        if database_path and database_path != ":memory:":
            return Path(database_path).with_suffix(".jobs")
        digest = hashlib.sha256(self.database_url.encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"reference_app-jobs-{digest}"

    @property
    def should_freeze_startup_objects(self) -> bool:
        if self.gc_freeze_after_startup is not None:
            return self.gc_freeze_after_startup
        return self.environment is Environment.PRODUCTION

    @property
    def should_run_worker_in_process(self) -> bool:
        if self.jobs_worker_in_process is not None:
            return self.jobs_worker_in_process
        return self.uses_embedded_queue and self.environment is not Environment.TEST

    @property
    def effective_email_backend(self) -> str:
        if self.email_backend is not None:
            return self.email_backend
        return "smtp" if self.environment is Environment.PRODUCTION else "console"

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
