"""The interactive docs work with no internet: the app serves Swagger UI's and ReDoc's assets.

Behind a firewall (a classroom, a private network) pages that load their scripts from a CDN
are blank. These tests check that ``/docs`` and ``/redoc`` name only the app's own assets, that
each of them is served, and, in a real headless Chromium with no network but loopback, that
the pages render the API's operations.
"""

import asyncio
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY

from reference_app.api.docs import ASSETS_URL, install_docs
from reference_app.main import create_app
from reference_app.testing import settings_for_tests
from tests.conftest import services_required
from tests.support import error_code, serve

ASSET_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, no sandbox (CI runs as root), and no connection but to the page's own server. The
# book's browser check starts from the same flags; reference_app is copied alone, so it keeps
# its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Offline even on a machine that has internet: no host name resolves, no proxy is asked.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-proxy-server",
]
RENDER_BUDGET_MS = 15_000  # virtual time the page gets to run its scripts before the dump
BROWSER_TIMEOUT_SECONDS = 90


def references(html: str) -> list[str]:
    return [src or url for src, url in ASSET_REFERENCE.findall(html)]


def build_app(tmp_path: Path, **overrides: object) -> FastAPI:
    return create_app(
        settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}", **overrides)
    )


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The docs read no database: one SQLite app, not the suite's one per database."""
    application = build_app(tmp_path)
    async with LifespanManager(application):
        yield application


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
    assert error_code(response) == "NOT_FOUND"


async def test_behind_a_path_prefix_the_docs_use_it_and_may_run_their_scripts(
    app: FastAPI,
) -> None:
    """A proxy that mounts the app under ``/service``: assets, schema and the CSP follow."""
    transport = ASGITransport(app=app, root_path="/service")
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        page = await http.get("/service/docs")
        asset = await http.get(f"/service{ASSETS_URL}/swagger-ui-bundle.js")
        api = await http.get("/service/api/v1/health/live")

    assert page.status_code == asset.status_code == 200
    assert sorted(references(page.text)) == [
        f"/service{ASSETS_URL}/favicon.png",
        f"/service{ASSETS_URL}/swagger-ui-bundle.js",
        f"/service{ASSETS_URL}/swagger-ui.css",
        "/service/openapi.json",
    ]
    # The API's policy (no scripts at all) would leave the page blank.
    assert "content-security-policy" not in page.headers
    assert "content-security-policy" not in asset.headers
    assert "default-src 'none'" in api.headers["content-security-policy"]


async def test_assets_are_never_rate_limited_and_share_one_metric_series(tmp_path: Path) -> None:
    assets = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"] * 2
    route = f"{ASSETS_URL}/{{path}}"
    labels = {"method": "GET", "route": route, "status": "200"}
    before = REGISTRY.get_sample_value("http_requests_total", labels) or 0.0
    app = build_app(tmp_path, rate_limit_default="1/minute")
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        responses = [await http.get(f"{ASSETS_URL}/{asset}") for asset in assets]

    assert [response.status_code for response in responses] == [200] * len(assets)
    assert not any("ratelimit-limit" in response.headers for response in responses)
    assert REGISTRY.get_sample_value("http_requests_total", labels) == before + len(assets)


async def test_an_app_without_an_openapi_schema_gets_no_docs() -> None:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_docs(app)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect", f"{ASSETS_URL}/swagger-ui.css"):
            assert (await http.get(path)).status_code == 404, path


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


async def test_swagger_ui_and_redoc_render_the_operations_offline(tmp_path: Path) -> None:
    chromium = find_chromium()
    async with serve(build_app(tmp_path)) as server:
        swagger = await rendered_dom(chromium, f"{server.url}/docs")
        redoc = await rendered_dom(chromium, f"{server.url}/redoc")

    operations = re.findall(r'class="opblock opblock-(?:get|post|put|patch|delete)', swagger)
    assert len(operations) >= 20, swagger[:2000]
    assert "/api/v1/auth/login" in swagger
    assert "/api/v1/posts/{post_id}" in redoc
    assert redoc.count('id="operation/') >= 20, redoc[:2000]
