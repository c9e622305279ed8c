"""Bodies and headers too large are refused with the error shape, before anything parses them."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from reference_app.core.config import Settings
from tests.load import record
from tests.support import error_code

CHUNK = 64 * 1024
HUNDRED_MB = 100 * 1024 * 1024
BODY_ROUTES = ["/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/posts"]


class ChunkedBody:
    """A 100 MB body sent in chunks with no Content-Length; counts the chunks actually read."""

    def __init__(self) -> None:
        self.chunks_read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(HUNDRED_MB // CHUNK):
            self.chunks_read += 1
            yield b"[" * CHUNK


@pytest.mark.parametrize("path", BODY_ROUTES)
async def test_a_declared_oversize_body_is_refused_unread(
    client: AsyncClient, settings: Settings, path: str
) -> None:
    body = b"{" + b" " * settings.max_request_body_bytes + b"}"
    response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("path", BODY_ROUTES)
async def test_a_streamed_oversize_body_is_refused_as_it_arrives(
    client: AsyncClient, settings: Settings, path: str
) -> None:
    body = ChunkedBody()
    response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
    # Reading stopped just past the limit, not after 100 MB.
    assert body.chunks_read <= settings.max_request_body_bytes // CHUNK + 2
    if path == BODY_ROUTES[0] and settings.is_sqlite:  # one figure, not six
        record(
            "100 MB body streamed without Content-Length",
            status=response.status_code,
            read_before_refusal_kib=body.chunks_read * CHUNK // 1024,
        )


async def test_oversize_headers_are_refused(client: AsyncClient, settings: Settings) -> None:
    huge = "x" * settings.max_request_header_bytes
    response = await client.get("/api/v1/health/live", headers={"X-Padding": huge})
    assert response.status_code == 431
    assert error_code(response) == "HEADERS_TOO_LARGE"


async def test_bodies_and_headers_within_the_limits_pass(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "within@example.com", "password": "correct horse battery", "x": "y"},
        headers={"X-Padding": "x" * 1000},
    )
    assert response.status_code == 422  # validated (extra field), not refused for its size
    assert error_code(response) == "VALIDATION_ERROR"
