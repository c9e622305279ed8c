"""Where the workbook's command-line tools are: one lookup for the lessons, ``workbook doctor``
and the infrastructure tests.

``bash .ci/install.sh`` (and the scripts under ``infrastructure/tools``) put pinned versions of
the tools in ``.tools/bin``. That folder is searched before ``PATH``, so the version a lesson was
written against wins over whatever else a machine has installed.

Whether a missing tool is a skip or a failure is decided in one place too: under CI (``CI`` set
to anything) it fails, because a green run must never mean "nothing was checked".
"""

import os
import shutil
import socket
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_TOOL_DIR = REPO_ROOT / ".tools" / "bin"


def locate(name: str) -> str | None:
    """The path of the program ``name``: from ``.tools/bin`` first, then ``PATH``; or None."""
    local = LOCAL_TOOL_DIR / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def in_ci() -> bool:
    """True in CI, where a missing tool must fail rather than skip."""
    return bool(os.environ.get("CI", "").strip())


def services_required() -> bool:
    """True when a missing service or program must fail: CI, or ``REQUIRE_SERVICES`` set.

    The same switch as reference_app's tests use for PostgreSQL and Redis.
    """
    return in_ci() or bool(os.environ.get("REQUIRE_SERVICES", "").strip())


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it; tiny race until it is used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on ``host:port`` (a service, a server)."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0
