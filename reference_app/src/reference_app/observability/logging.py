"""Structured logging with structlog.

Every log line, from the app or from libraries using the standard ``logging`` module, goes through
one processor chain: it carries the request id (and, in a traced request, the ``trace_id`` and
``span_id`` that find its trace), is redacted (passwords, tokens, Authorization
headers never reach a log), and is rendered as JSON in production or as readable colour-free text
in development.

Two routes lead to that one stream. The app's own lines (``structlog.get_logger``) are rendered
by structlog and written straight to it; lines from libraries (``logging.getLogger``) go through
a ``logging`` handler whose formatter runs the same processors. The app's lines skip ``logging``
because the access log writes one on every request: through ``logging`` each line built two
``LogRecord`` objects and ran the chain in the formatter, a large share of a cached request's CPU
(measured in ``bench/RESULTS.md``; lesson 17 works the case). It also means a library calling
``logging.config.dictConfig``, which switches off every existing ``logging`` logger, cannot
silence the app's lines.
"""

import contextlib
import functools
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


@functools.lru_cache(maxsize=1024)
def is_sensitive_key(key: str) -> bool:
    """Whether a field named ``key`` must be redacted (remembered: a log uses few field names)."""
    return SENSITIVE_KEY.search(key) is not None


def redact(value: Any) -> Any:
    """Replace the values of sensitive-looking keys, however deeply they are nested."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED if is_sensitive_key(str(key)) else redact(item)
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


class LineWriter(structlog.WriteLogger):
    """Write the app's rendered lines to a stream, one ``write`` and ``flush`` each.

    structlog's ``WriteLogger`` with two additions a ``logging`` handler has: a ``name`` (the
    logger's, which ``add_logger_name`` puts in the line), and a write that never raises: a
    closed or broken stream must not fail the request that logs a line.
    """

    def __init__(self, stream: TextIO, name: str | None = None, *_: Any) -> None:
        super().__init__(stream)
        self.name = name

    def msg(self, message: str) -> None:
        # A closed pipe or file: the line is lost, not the request.
        with contextlib.suppress(OSError, ValueError):
            super().msg(message)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Send structlog's and standard logging's lines, rendered alike, to ``stream``.

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

    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())  # ValueError for a name that is not a level
    output = stream or sys.stderr
    structlog.configure(
        processors=[*shared, renderer],
        logger_factory=functools.partial(LineWriter, output),
        # Drops a line below the level before any processor runs: one level for all the app's
        # loggers (``logging.getLogger(name).setLevel`` applies to library loggers only).
        wrapper_class=structlog.make_filtering_bound_logger(root.level),
        # Off so that configuring again (a test, a lesson, the worker) reaches every logger.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(output)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)

    root.handlers = [h for h in root.handlers if h.get_name() != _HANDLER_NAME]
    root.addHandler(handler)
    # Uvicorn's own access log would duplicate ours (see web.middleware.AccessLogMiddleware).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
