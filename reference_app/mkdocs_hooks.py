"""Build-time helpers of the API reference: generated pages and Sphinx-style cross-references.

**Pages.** ``on_files`` is a MkDocs hook (wired in ``mkdocs.yml`` under ``hooks:``): it adds one
page per module of ``src/reference_app``. Pages written by hand go stale the day someone adds a
module; listing the package at build time documents a new module in the next build. A page that
exists under ``docs/reference/`` is kept as written (``models.md`` is one), so a module that
needs prose around its reference can have it.

**Cross-references.** The app's docstrings use Sphinx roles (``:class:`AppError```), which
mkdocstrings would print as they are. ``SphinxRoles`` is a griffe extension (wired under the
handler's ``extensions:``) that rewrites them into mkdocstrings links, so ``--strict`` also fails
on a reference to something that no longer exists.
"""

import re
from pathlib import Path
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PACKAGE = Path(__file__).parent / "src" / "reference_app"
PRIVATE_PARTS = {"migrations"}  # Alembic's scripts: run by Alembic, not an API


def public_modules(package: Path = PACKAGE) -> list[str]:
    """Dotted names of the package's modules, skipping private ones (``_name``) and migrations."""
    modules = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if PRIVATE_PARTS & set(parts) or any(p.startswith("_") for p in parts[:-1]):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        elif parts[-1].startswith("_"):
            continue
        modules.append(".".join(parts))
    return modules


def page_path(module: str, package: Path = PACKAGE) -> str:
    """Where a module's page goes: ``reference_app.core.config`` -> ``reference/core/config.md``.

    A package's page is the ``index.md`` of its folder, so it opens its section of the nav.
    """
    parts = module.split(".")[1:]
    if (package.parent.joinpath(*module.split("."))).is_dir():
        parts.append("index")
    return "/".join(["reference", *parts]) + ".md"


def page_content(module: str) -> str:
    """The nav shows the last part of the name; mkdocstrings renders the rest from the code."""
    title = module.rsplit(".", 1)[-1]
    return f"---\ntitle: {title}\n---\n\n::: {module}\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add a generated page for every public module that has no hand-written page."""
    for module in public_modules():
        path = page_path(module)
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=page_content(module)))
    return files


# :class:`AppError`, :meth:`~pkg.mod.Cls.method`, :py:func:`f` ... (``~`` shows the last part)
SPHINX_ROLE = re.compile(r":(?:py:)?(?:attr|class|data|exc|func|meth|mod|obj):`(~?)([\w.]+)`")
# reST's "looks like::" before an indented block: Markdown shows the block as code already.
LITERAL_BLOCK_MARKER = re.compile(r"(\S)::\n(?=\n[ \t])")


def _role_to_link(match: re.Match[str]) -> str:
    """``:class:`~a.b.C``` -> ``[`C`][a.b.C]``, resolved by mkdocstrings (scoped_crossrefs)."""
    tilde, target = match.groups()
    title = target.rsplit(".", 1)[-1] if tilde else target
    if any(part.startswith("_") for part in target.split(".")):
        return f"`{title}`"  # private names have no entry to link to
    return f"[`{title}`][{target}]"


def sphinx_to_markdown(text: str) -> str:
    """Rewrite the Sphinx markup a docstring may use into the Markdown mkdocstrings renders."""
    return LITERAL_BLOCK_MARKER.sub(r"\1:\n", SPHINX_ROLE.sub(_role_to_link, text))


class SphinxRoles(griffe.Extension):
    """Griffe extension: convert each docstring as griffe reads it (the package's own too)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = sphinx_to_markdown(obj.docstring.value)
