"""Settings: zero-config development, environment overrides, and production refusals."""

import pytest

from reference_app.core.config import Environment, InsecureConfigurationError, Settings

STRONG_KEY = "production-key-" + "0123456789abcdef" * 3
METRICS_TOKEN = "metrics-token-" + "0123456789abcdef"
POSTGRES = "postgresql+asyncpg://app@db:5432/app"


def from_env() -> Settings:
    return Settings(_env_file=None)


def test_development_needs_no_configuration(clean_environment: pytest.MonkeyPatch) -> None:
    settings = from_env()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.is_sqlite
    assert settings.should_auto_migrate
    assert not settings.should_log_json
    assert len(settings.signing_key) >= 32
    assert settings.signing_key == settings.signing_key  # stable for the app's lifetime
    assert (settings.access_token_expire_minutes, settings.refresh_token_expire_days) == (30, 7)


def test_environment_variables_override_defaults(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("APP_ACCESS_TOKEN_EXPIRE_MINUTES", "5")
    clean_environment.setenv("APP_CORS_ORIGINS", "https://a.example, https://b.example")
    clean_environment.setenv("APP_REDIS_URL", "redis://localhost:6379/0")
    settings = from_env()
    assert settings.access_token_expire_minutes == 5
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.redis_url == "redis://localhost:6379/0"


def test_cors_origins_accept_a_json_list(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("APP_CORS_ORIGINS", '["https://a.example"]')
    assert from_env().cors_origins == ["https://a.example"]


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_plain_postgres_urls_get_the_async_driver(scheme: str) -> None:
    settings = Settings.model_validate({"database_url": f"{scheme}u@h/db"})
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_invalid_values_are_refused(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("APP_ACCESS_TOKEN_EXPIRE_MINUTES", "0")
    with pytest.raises(ValueError, match="access_token_expire_minutes"):
        from_env()


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": STRONG_KEY,
        "database_url": POSTGRES,
        "cors_origins": ["https://app.example"],
        "metrics_bearer_token": METRICS_TOKEN,
        **overrides,
    }
    return Settings.model_validate(values)


def test_a_secure_production_configuration_is_accepted() -> None:
    settings = production()
    assert settings.should_log_json
    assert not settings.should_auto_migrate
    assert settings.signing_key == STRONG_KEY
    assert settings.metrics_bearer_token is not None
    assert settings.metrics_bearer_token.get_secret_value() == METRICS_TOKEN


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"secret_key": None}, "APP_SECRET_KEY"),
        ({"secret_key": "too-short"}, "APP_SECRET_KEY"),
        ({"cors_origins": ["*"]}, "APP_CORS_ORIGINS"),
        ({"database_url": "sqlite+aiosqlite:///./prod.db"}, "APP_DATABASE_URL"),
        ({"metrics_bearer_token": None}, "APP_METRICS_BEARER_TOKEN"),
        ({"metrics_bearer_token": ""}, "APP_METRICS_BEARER_TOKEN"),
        ({"metrics_bearer_token": "too-short"}, "APP_METRICS_BEARER_TOKEN"),
    ],
)
def test_production_refuses_insecure_configuration(
    overrides: dict[str, object], variable: str
) -> None:
    with pytest.raises(ValueError, match=variable) as raised:
        production(**overrides)
    assert isinstance(raised.value.errors()[0]["ctx"]["error"], InsecureConfigurationError)  # type: ignore[attr-defined]


def test_refusals_never_echo_the_configuration(clean_environment: pytest.MonkeyPatch) -> None:
    """Pydantic would print the refused input, secret key included, unless told not to."""
    clean_environment.setenv("APP_ENVIRONMENT", "production")
    clean_environment.setenv("APP_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("APP_CORS_ORIGINS", "*")
    with pytest.raises(ValueError, match="APP_CORS_ORIGINS") as raised:
        from_env()
    assert "input_value" not in str(raised.value)
    assert STRONG_KEY[:20] not in str(raised.value)


def test_production_refuses_anonymous_metrics(clean_environment: pytest.MonkeyPatch) -> None:
    """/metrics is anonymous without a token: production must not start that way by default."""
    clean_environment.setenv("APP_ENVIRONMENT", "production")
    clean_environment.setenv("APP_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("APP_DATABASE_URL", POSTGRES)
    clean_environment.setenv("APP_METRICS_BEARER_TOKEN", "")  # as Compose writes an unset value
    with pytest.raises(ValueError, match="APP_METRICS_BEARER_TOKEN") as raised:
        from_env()
    message = str(raised.value)
    # The message says how to get a token, that Prometheus needs it, and the way out.
    assert "secrets.token_urlsafe(32)" in message
    assert "Prometheus" in message
    assert "APP_METRICS_ENABLED=false" in message
    assert isinstance(raised.value.errors()[0]["ctx"]["error"], InsecureConfigurationError)  # type: ignore[attr-defined]


def test_production_starts_with_a_metrics_token(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("APP_ENVIRONMENT", "production")
    clean_environment.setenv("APP_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("APP_DATABASE_URL", POSTGRES)
    clean_environment.setenv("APP_METRICS_BEARER_TOKEN", METRICS_TOKEN)
    settings = from_env()
    assert settings.metrics_enabled
    assert settings.metrics_bearer_token is not None
    assert settings.metrics_bearer_token.get_secret_value() == METRICS_TOKEN
    assert METRICS_TOKEN not in repr(settings)  # a SecretStr, like the key


@pytest.mark.parametrize("token", [None, "too-short"])
def test_production_without_metrics_needs_no_token(token: str | None) -> None:
    settings = production(metrics_enabled=False, metrics_bearer_token=token)
    assert not settings.metrics_enabled


@pytest.mark.parametrize("environment", ["development", "test"])
def test_only_production_requires_a_metrics_token(environment: str) -> None:
    settings = Settings.model_validate({"environment": environment, "metrics_bearer_token": None})
    assert settings.metrics_enabled
    assert settings.metrics_bearer_token is None


def test_a_refused_metrics_token_is_never_echoed(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("APP_ENVIRONMENT", "production")
    clean_environment.setenv("APP_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("APP_DATABASE_URL", POSTGRES)
    clean_environment.setenv("APP_METRICS_BEARER_TOKEN", "tiny-secret-9")
    with pytest.raises(ValueError, match="at least 16 characters") as raised:
        from_env()
    assert "tiny-secret-9" not in str(raised.value)
