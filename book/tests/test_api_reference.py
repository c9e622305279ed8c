"""The API reference (mkdocs + mkdocstrings) builds strictly and documents every module.

``reference_app/mkdocs_hooks.py`` generates one page per module. A docstring that mkdocstrings
cannot render, or a cross-reference to something that no longer exists, is a warning;
``--strict`` turns it into a failure here rather than a broken page on the published site.

Run alone: ``uv run pytest book/tests/test_api_reference.py --no-cov``
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "reference_app"
MKDOCS_YML = APP / "mkdocs.yml"
PACKAGE = APP / "src" / "reference_app"
BUILD_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the reference once into a temporary directory, never into reference_app/site."""
    out = tmp_path_factory.mktemp("api-site")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(MKDOCS_YML)]
    result = subprocess.run(
        [*command, "--site-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return out


def test_main_page_documents_create_app(site_dir: Path) -> None:
    page = site_dir / "reference" / "main" / "index.html"
    assert page.is_file(), "no page for reference_app.main"
    assert 'id="reference_app.main.create_app"' in page.read_text(encoding="utf-8")


def _public_modules() -> list[str]:
    """Every module of the package except private ones and Alembic's migrations."""
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts or any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        modules.append(".".join(parts).removesuffix(".__init__"))
    return modules


def test_every_public_module_has_a_page(site_dir: Path) -> None:
    """mkdocs_hooks.py generates the pages; this checks it missed none, independently."""
    missing = []
    for module in _public_modules():
        page = site_dir.joinpath("reference", *module.split(".")[1:], "index.html")
        if not page.is_file() or f'id="{module}"' not in page.read_text(encoding="utf-8"):
            missing.append(module)
    assert not missing, f"no API reference page documents: {missing}"
