"""Size limits on requests: a body or headers too large is refused before anything parses it.

Without them, one anonymous 100 MB body made the process grow by ~300 MB before validation
answered 422: the framework reads the whole body into memory, then decodes it as JSON.

- **Body**: ``APP_MAX_REQUEST_BODY_BYTES`` (1 MiB). A declared ``Content-Length`` above it is
  answered 413 at once, without reading a byte. A body sent in chunks (no length) is counted as
  it arrives and refused the moment it passes the limit, so memory never holds more than the
  limit. A route that takes uploads would get a larger limit of its own; this API has none.
- **Headers**: ``APP_MAX_REQUEST_HEADER_BYTES`` (32 KiB), answered 431. The server has already
  read them by then: the real bound on a header's memory is the proxy's
  (``maxHeaderBytes`` in ``infrastructure/traefik/traefik.yml``), and this check keeps the app
  honest when it is reached without one.

Starlette has no body-limit middleware (only a per-part limit for multipart forms), hence this
one, written as pure ASGI like the others in :mod:`reference_app.web.middleware`.
"""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_app.core.errors import ErrorCode, error_response


class RequestSizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_header_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header_bytes, declared_length = self._measure_headers(scope)
        if header_bytes > self.max_header_bytes:
            response = error_response(
                431,
                ErrorCode.HEADERS_TOO_LARGE,
                f"The request headers are larger than {self.max_header_bytes} bytes",
            )
            await response(scope, receive, send)
            return
        if declared_length > self.max_body_bytes:
            too_large = error_response(413, ErrorCode.PAYLOAD_TOO_LARGE, self._body_message)
            await too_large(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    @property
    def _body_message(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes"

    @staticmethod
    def _measure_headers(scope: Scope) -> tuple[int, int]:
        """The headers' size in bytes and the declared ``Content-Length`` (0 if none), in one
        pass: this runs on every request."""
        header_bytes, declared_length = 0, None
        for name, value in scope["headers"]:
            header_bytes += len(name) + len(value)
            if declared_length is None and name == b"content-length" and value.isdigit():
                declared_length = int(value)
        return header_bytes, declared_length or 0

    def _counting(self, receive: Receive) -> Receive:
        """``receive`` that raises once the body read so far passes the limit.

        It raises Starlette's ``HTTPException``: FastAPI passes that one through its body
        parsing untouched (any other exception there becomes a 400 "error parsing the body"),
        and the app's handler turns it into the error shape with ``PAYLOAD_TOO_LARGE``.
        """
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(413, self._body_message)
            return message

        return receive_within_limit
