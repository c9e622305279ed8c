"""Lab 12, public tests: hadolint, the user, the server's command and the health check."""

import re
import subprocess
from collections.abc import Callable
from typing import Any

from labsupport.tools import findings

LIVE_PATH = "/api/v1/health/live"
LOCAL_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost):(?P<port>\d+)(?P<path>/[^'\"\s]*)")


def test_hadolint_finds_nothing(
    hadolint: Callable[[], subprocess.CompletedProcess[str]], dockerfile: str
) -> None:
    """hadolint must report nothing at warning level or above, with no rule switched off
    (no `# hadolint ignore=` comment): fix what it reports."""
    assert "hadolint ignore" not in dockerfile.lower(), "switch no hadolint rule off: fix it"
    result = hadolint()
    assert result.returncode == 0, f"hadolint reports: {findings(result)}"


def test_the_image_runs_as_a_numeric_non_root_user(image: Any) -> None:
    """The last stage must end up as a numeric user that is not root (`USER 10001:10001`):
    Kubernetes can check `runAsNonRoot` only for a number."""
    user = image.runtime.last("USER")
    assert user is not None, "the last stage has no USER: the server would run as root"
    uid, _, gid = user.partition(":")
    assert uid.isdigit(), f"USER {user} is not numeric"
    assert not gid or gid.isdigit(), f"the group of USER {user} is not numeric"
    assert int(uid) != 0, "USER 0 is root"


def test_the_server_starts_in_exec_form_on_port_8000(
    image: Any, cli_options: Callable[[list[str]], dict[str, Any]]
) -> None:
    """CMD must be the app's `reference-app serve` in exec form (a JSON array), listening on
    all interfaces (`--host 0.0.0.0`) on port 8000, the one port the image EXPOSEs."""
    options = cli_options(image.command())
    exposed_ports = image.exposed_ports()
    assert options["command"] == "serve", f"CMD runs reference-app {options['command']}"
    assert options["host"] == "0.0.0.0", f"the server listens on {options['host']} only"  # noqa: S104
    assert options["port"] == 8000, f"the server listens on port {options['port']}, not 8000"
    assert exposed_ports == {8000}, f"the image EXPOSEs {sorted(exposed_ports)}, not 8000"


def test_the_healthcheck_asks_the_liveness_route(image: Any, api_paths: set[str]) -> None:
    """The last stage needs a HEALTHCHECK whose command, in exec form, requests the app's
    liveness route `/api/v1/health/live` on the container's own address (127.0.0.1)."""
    _, command = image.healthcheck()
    url = LOCAL_URL.search(" ".join(command))
    assert url is not None, f"the HEALTHCHECK requests no http://127.0.0.1 URL: {command}"
    assert url["path"] == LIVE_PATH, f"the HEALTHCHECK asks {url['path']}, not {LIVE_PATH}"
    assert LIVE_PATH in api_paths, f"the app has no route {LIVE_PATH}"
