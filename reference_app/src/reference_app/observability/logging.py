"""Structured logging with structlog.

Every log line, from the app or from libraries using the standard ``logging`` module, goes through
one processor chain: it carries the request id (and, in a traced request, the ``trace_id`` and
``span_id`` that find its trace), is redacted (passwords, tokens, Authorization
headers never reach a log), and is rendered as JSON in production or as readable colour-free text
in development.
"""

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog
from asgi_correlation_id import correlation_id
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from reference_app.core.config import Settings

REDACTED = "[REDACTED]"
SENSITIVE_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|cookie|api[_-]?key|credential", re.IGNORECASE
)
_HANDLER_NAME = "reference_app"


def redact(value: Any) -> Any:
    """Replace the values of sensitive-looking keys, however deeply they are nested."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED if SENSITIVE_KEY.search(str(key)) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def redact_sensitive(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: apply :func:`redact` to every field of the event."""
    redacted: MutableMapping[str, Any] = redact(event_dict)
    return dict(redacted)


def add_request_id(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: attach the id of the request being served, if any."""
    request_id = correlation_id.get()
    if request_id:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def add_trace_context(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: attach the current span's trace and span ids (hex), if any.

    Outside a span (tracing off, or a request not traced) the line is left as it is.
    """
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Route structlog and standard logging through one formatter writing to ``stream``.

    Only our own handler on the root logger is replaced, so handlers added by others (pytest's
    log capture, for one) keep working.
    """
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        add_trace_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]
    renderer: Processor
    if settings.should_log_json:
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        # Plain tracebacks: the rich ones print every frame's local variables, which is slow
        # and would put secrets (passwords, keys) into the log.
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )

    structlog.configure(
        # filter_by_level first: a line below the level costs nothing (the access log runs on
        # every request).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != _HANDLER_NAME]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # `logging.config.dictConfig` and `fileConfig` switch off every logger that exists when they
    # run unless told otherwise (`disable_existing_loggers` defaults to True): a library that
    # configures logging on import (commitizen does), or an Alembic env.py calling fileConfig,
    # would silently end the app's access log. Ours are switched back on here.
    for name, existing in list(logging.root.manager.loggerDict.items()):
        if name.split(".")[0] == "reference_app" and isinstance(existing, logging.Logger):
            existing.disabled = False
    # Uvicorn's own access log would duplicate ours (see web.middleware.AccessLogMiddleware).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
