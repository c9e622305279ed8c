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


async def test_a_log_stream_that_cannot_be_written_does_not_fail_requests(
    settings: Settings,
) -> None:
    """The app's lines are written by structlog, not by a ``logging`` handler that would swallow
    a write error: a closed stream (a dead pipe) loses the line, not the request."""
    stream = io.StringIO()
    app = create_app(settings.model_copy(update={"log_json": True}))
    configure_logging(services_of(app).settings, stream=stream)
    stream.close()
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/api/v1/health/live")
    assert response.status_code == 200


def test_the_app_and_libraries_write_alike_and_respect_one_level(settings: Settings) -> None:
    """Two routes to one stream: the app's loggers (structlog) and a library's (``logging``)
    give the same JSON fields, and a line below the level is dropped on both."""
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_json": True, "log_level": "INFO"}), stream)
    structlog.get_logger("reference_app.example").info("ours", password="hunter2")
    structlog.get_logger("reference_app.example").debug("ours, too detailed")
    logging.getLogger("some_library").info("theirs")
    logging.getLogger("some_library").debug("theirs, too detailed")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["ours", "theirs"]
    assert [line["logger"] for line in lines] == ["reference_app.example", "some_library"]
    assert all(line["level"] == "info" and "timestamp" in line for line in lines)
    assert lines[0]["password"] == REDACTED
