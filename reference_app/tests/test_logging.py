"""Structured logs: JSON in production, request ids on every line, secrets redacted."""

import io
import json
import logging.config

import structlog
from httpx import ASGITransport, AsyncClient

from reference_app.core.config import Settings
from reference_app.main import create_app
from reference_app.observability.logging import REDACTED, configure_logging, redact
from reference_app.services import services_of
from tests.support import DEFAULT_PASSWORD


def test_redact_replaces_sensitive_values_at_any_depth() -> None:
    event = {
        "event": "login",
        "password": "hunter2",
        "headers": {"Authorization": "Bearer abc", "Accept": "json"},
        "items": [{"refresh_token": "r"}, {"name": "safe"}],
        "api_key": "k",
    }
    assert redact(event) == {
        "event": "login",
        "password": REDACTED,
        "headers": {"Authorization": REDACTED, "Accept": "json"},
        "items": [{"refresh_token": REDACTED}, {"name": "safe"}],
        "api_key": REDACTED,
    }


async def test_json_access_log_carries_request_id_and_redacts(settings: Settings) -> None:
    stream = io.StringIO()
    app = create_app(settings.model_copy(update={"log_json": True}))
    configure_logging(services_of(app).settings, stream=stream)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post(
            "/api/v1/auth/signup", json={"email": "log@example.com", "password": DEFAULT_PASSWORD}
        )
        token = response.json()["tokens"]["access_token"]
        structlog.get_logger("test").info("diagnostic", authorization=f"Bearer {token}")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = next(line for line in lines if line["event"] == "request")
    assert access["request_id"] == response.headers["x-request-id"]
    assert (access["method"], access["path"], access["status"]) == (
        "POST",
        "/api/v1/auth/signup",
        201,
    )
    assert isinstance(access["duration_ms"], float)
    diagnostic = next(line for line in lines if line["event"] == "diagnostic")
    assert diagnostic["authorization"] == REDACTED
    assert token not in stream.getvalue()
    assert DEFAULT_PASSWORD not in stream.getvalue()


async def test_the_access_log_survives_a_library_that_configures_logging(
    settings: Settings,
) -> None:
    """``dictConfig`` (and Alembic's ``fileConfig``) switch off every existing logger by
    default; a library doing so on import once silenced the access log for the rest of a run."""
    stream = io.StringIO()
    app = create_app(settings.model_copy(update={"log_json": True}))
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    was_disabled = {logger: logger.disabled for logger in loggers}
    try:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": True})
        configure_logging(services_of(app).settings, stream=stream)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            await client.get("/api/v1/health/live")
    finally:  # the other tests' loggers, as they were
        for logger, disabled in was_disabled.items():
            logger.disabled = disabled

    events = [json.loads(line)["event"] for line in stream.getvalue().splitlines()]
    assert "request" in events
