"""One error shape for every failure, with a stable machine-readable code.

Every error the API returns looks like::

    {"error": {"code": "NOT_FOUND", "message": "Post not found", "details": {...},
               "request_id": "..."}}

Clients branch on ``code`` (it never changes once published); people read ``message``. Services
raise :class:`AppError` subclasses and never build HTTP responses themselves.
"""

from collections.abc import Mapping
from enum import StrEnum
from http import HTTPStatus
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = structlog.get_logger(__name__)


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    EMAIL_ALREADY_REGISTERED = "EMAIL_ALREADY_REGISTERED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMITED = "RATE_LIMITED"
    HTTP_ERROR = "HTTP_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    NOT_READY = "NOT_READY"
    NOT_STARTED = "NOT_STARTED"


_CODE_FOR_STATUS: dict[int, ErrorCode] = {
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    431: ErrorCode.HEADERS_TOO_LARGE,
    422: ErrorCode.VALIDATION_ERROR,
    429: ErrorCode.RATE_LIMITED,
}


class ErrorBody(BaseModel):
    code: str = Field(examples=["NOT_FOUND"])
    message: str = Field(examples=["Post not found"])
    details: dict[str, Any] | list[Any] | None = None
    request_id: str | None = Field(default=None, examples=["9d2f6c0e4b6a4f7c8a3e2b1d0c9f8e7a"])


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


class AppError(Exception):
    """Base of the errors services raise; each subclass fixes a status and a code."""

    status_code: int = 500
    code: ErrorCode = ErrorCode.INTERNAL_ERROR
    message: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class AuthenticationError(AppError):
    status_code = 401
    code = ErrorCode.NOT_AUTHENTICATED
    message = "Not authenticated"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        # RFC 6750: a 401 for a bearer-protected resource says how to authenticate.
        super().__init__(
            message, code=code, details=details, headers={"WWW-Authenticate": "Bearer"}
        )


class PermissionDeniedError(AppError):
    status_code = 403
    code = ErrorCode.FORBIDDEN
    message = "You do not have permission to do this"


class NotFoundError(AppError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    message = "Not found"

    def __init__(self, resource: str, resource_id: object) -> None:
        super().__init__(
            f"{resource.capitalize()} not found",
            details={"resource": resource, "id": str(resource_id)},
        )


class ConflictError(AppError):
    status_code = 409
    code = ErrorCode.CONFLICT
    message = "The request conflicts with the current state"


class DatabaseUnavailableError(AppError):
    status_code = 503
    code = ErrorCode.DATABASE_UNAVAILABLE
    message = "The database is unavailable; try again shortly"


RETRY_AFTER_SECONDS = 5
"""What every 503 tells clients (and load balancers) to wait before trying again."""

UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P")
"""PostgreSQL error classes that mean "the database cannot serve you now", not "your query is
wrong": 08 connection exception, 53 insufficient resources (53300 too many connections),
57P01-57P03 the server is shutting down, crashed or is starting."""


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the JSON response of the one error shape.

    A 503 always says when to retry (RFC 9110 §10.2.3): clients back off instead of hammering a
    database that is already refusing connections.
    """
    body = ErrorResponse(
        error=ErrorBody(
            code=code, message=message, details=details, request_id=correlation_id.get()
        )
    )
    if status_code == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})}
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


async def _handle_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only location, message and type: echoing the input back could leak a password.
    details = [
        {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(422, ErrorCode.VALIDATION_ERROR, "The request is not valid", details)


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODE_FOR_STATUS.get(exc.status_code, ErrorCode.HTTP_ERROR)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _handle_integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this is the safety net for a race between two requests.
    logger.warning("integrity_error", error=str(getattr(exc, "orig", exc)))
    return error_response(409, ErrorCode.CONFLICT, ConflictError.message)


async def _handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database_unavailable", error_type=type(exc).__name__)
    return error_response(503, ErrorCode.DATABASE_UNAVAILABLE, DatabaseUnavailableError.message)


def is_database_unavailable(exc: DBAPIError) -> bool:
    """True when a driver error says the database is unreachable or refusing work.

    asyncpg's "too many connections" and "terminating connection due to administrator command"
    reach SQLAlchemy as a plain ``DBAPIError`` (not ``OperationalError``), so the type alone
    cannot tell them from a bad query: the connection state and the SQLSTATE can.
    """
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(UNAVAILABLE_SQLSTATE_PREFIXES)


async def _handle_driver_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if is_database_unavailable(exc):
        return await _handle_database_unavailable(request, exc)
    return await _handle_unexpected_error(request, exc)


async def _handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_exception", method=request.method, path=request.url.path)
    # This handler runs outside every middleware (Starlette's ServerErrorMiddleware), so the
    # request-id middleware cannot add its header: add it here.
    request_id = correlation_id.get()
    headers = {"X-Request-ID": request_id} if request_id else None
    return error_response(500, ErrorCode.INTERNAL_ERROR, AppError.message, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to the one error shape."""
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(IntegrityError, _handle_integrity_error)
    # The database (or the network to it) is down or overloaded: a retryable 503, not a 500.
    unavailable_errors = (
        OperationalError,
        InterfaceError,
        PoolTimeoutError,
        ConnectionError,
        TimeoutError,
    )
    for unavailable in unavailable_errors:
        app.add_exception_handler(unavailable, _handle_database_unavailable)
    # Other driver errors: unavailable or a bug, depending on what the driver says.
    app.add_exception_handler(DBAPIError, _handle_driver_error)
    app.add_exception_handler(Exception, _handle_unexpected_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": HTTPStatus(status).phrase}
    for status in (400, 401, 403, 404, 409, 422, 429)
}
"""OpenAPI ``responses`` entries so every route documents the error shape.

400 is FastAPI's answer to a body it cannot parse at all (bytes that are not UTF-8, or JSON nested
deeper than Python's recursion limit), and the app's to an invalid password-reset token. The
contract test (``tests/test_contract.py``) sends such bodies, and fails a status not listed."""
