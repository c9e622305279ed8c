"""The interactive docs work with no internet: the app serves Swagger UI's and ReDoc's assets.

Behind a firewall (a classroom, a private network) pages that load their scripts from a CDN
are blank. These tests check that ``/docs`` and ``/redoc`` name only the app's own assets, that
each of them is served, and, in a real headless Chromium with no network but loopback, that
the pages render the API's operations.
"""

import asyncio
import os
import re
import shutil
import tempfile

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from reference_app.api.docs import ASSETS_URL
from reference_app.main import create_app
from tests.conftest import make_settings, services_required
from tests.support import serve

ASSET_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, no sandbox (CI runs as root), and no connection but to the page's own server. The
# book's browser check uses the same flags; reference_app is copied alone, so it keeps its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDER_BUDGET_MS = 15_000  # virtual time the page gets to run its scripts before the dump
BROWSER_TIMEOUT_SECONDS = 90


def references(html: str) -> list[str]:
    return [src or url for src, url in ASSET_REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_nothing_from_another_host(
    client: AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    found = references(response.text)
    assert any(ASSETS_URL in reference for reference in found), found
    assert [reference for reference in found if "://" in reference] == []
    assert "cdn.jsdelivr.net" not in response.text
    assert "fonts.googleapis.com" not in response.text


@pytest.mark.parametrize(
    ("asset", "content_type"),
    [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "javascript"),
        ("favicon.png", "image/png"),
    ],
)
async def test_every_asset_is_served(client: AsyncClient, asset: str, content_type: str) -> None:
    response = await client.get(f"{ASSETS_URL}/{asset}")
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert len(response.content) > 1000


async def test_the_oauth2_redirect_page_is_served(client: AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text.lower()


async def test_an_unknown_asset_is_a_404_with_the_error_shape(client: AsyncClient) -> None:
    response = await client.get(f"{ASSETS_URL}/nothing-here.js")
    assert response.status_code == 404


def find_chromium() -> str:
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    message = "Chromium not installed: apt-get install chromium (or bash .ci/install.sh)"
    if services_required():
        pytest.fail(message)
    pytest.skip(message)


async def rendered_dom(chromium: str, url: str) -> str:
    """The page's DOM after its scripts ran, from a fresh headless Chromium profile."""
    with tempfile.TemporaryDirectory(prefix="docs-browser-") as profile:
        process = await asyncio.create_subprocess_exec(
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={RENDER_BUDGET_MS}",
            "--dump-dom",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with asyncio.timeout(BROWSER_TIMEOUT_SECONDS):
                stdout, _ = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    assert process.returncode == 0
    return stdout.decode()


@pytest.fixture
async def live_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    database = tmp_path_factory.mktemp("docs") / "docs.db"
    return create_app(make_settings(f"sqlite+aiosqlite:///{database}", auto_migrate=True))


async def test_swagger_ui_and_redoc_render_the_operations_offline(live_app: FastAPI) -> None:
    chromium = find_chromium()
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    async with serve(live_app) as server:
        swagger = await rendered_dom(chromium, f"{server.url}/docs")
        redoc = await rendered_dom(chromium, f"{server.url}/redoc")

    operations = re.findall(r'class="opblock opblock-(?:get|post|put|patch|delete)', swagger)
    assert len(operations) >= 20, swagger[:2000]
    assert "/api/v1/auth/login" in swagger
    assert "/api/v1/posts/{post_id}" in redoc
    assert redoc.count('id="operation/') >= 20, redoc[:2000]
