"""Lab 12, hidden tests: secrets, stages, the user's ids, and the health check's details."""

import re
from typing import Any

LOCAL_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost):(?P<port>\d+)")
INSTALLS = re.compile(r"\b(pip3?|uv|apt-get|apt|apk)\s+(install|sync|add)\b")
SLIM_PYTHON = re.compile(r"^python:3\.11(\.\d+)?-slim")


def env_names(arguments: str, keyword: str) -> list[str]:
    """The variables an ENV or ARG sets (``A=1 B=2``, legacy ``ENV A 1``, ``ARG A``)."""
    words = arguments.split()
    if keyword == "ENV" and words and "=" not in words[0]:
        return [words[0]]
    return [word.split("=", 1)[0] for word in words if "=" in word or keyword == "ARG"]


def test_no_secret_is_baked_into_the_image(image: Any, secret_variables: set[str]) -> None:
    """No ENV or ARG, in any stage, sets a setting that holds a secret: the secret key, the
    tokens and passwords, the connection URLs. They are in the image's history for good."""
    baked = sorted(
        name
        for stage in image.stages
        for instruction in stage.instructions
        if instruction.keyword in ("ENV", "ARG")
        for name in env_names(instruction.arguments, instruction.keyword)
        if name in secret_variables
    )
    assert baked == [], f"secrets baked into the image: {baked}"


def test_the_runtime_copies_what_a_builder_installed(image: Any) -> None:
    """A multi-stage build: the last stage starts from `python:3.11-slim…`, copies what an
    earlier stage installed (`COPY --from=builder …`) and installs nothing itself."""
    assert len(image.stages) >= 2, "one stage: the installers ship in the image"
    assert SLIM_PYTHON.match(image.runtime.base), f"the last stage starts from {image.runtime.base}"
    earlier = {stage.name for stage in image.stages[:-1] if stage.name}
    sources = {
        word.removeprefix("--from=")
        for copy in image.runtime.all("COPY")
        for word in copy.split()
        if word.startswith("--from=")
    }
    assert sources & earlier, "the last stage copies nothing from an earlier stage"
    installing = [run for run in image.runtime.all("RUN") if INSTALLS.search(run)]
    assert installing == [], f"the last stage installs packages: {installing}"


def test_the_user_has_high_ids(image: Any) -> None:
    """The user is given as numeric `UID:GID`, both 10000 or above (clear of any host user)."""
    uid, _, gid = (image.runtime.last("USER") or "").partition(":")
    assert uid.isdigit(), "USER should be numeric UID:GID"
    assert gid.isdigit(), "USER should be numeric UID:GID, with the group too"
    assert min(int(uid), int(gid)) >= 10000, f"USER {uid}:{gid}: use 10000 or above for both"


def test_the_healthcheck_is_bounded_and_needs_no_curl(
    image: Any,
) -> None:
    """The HEALTHCHECK has a `--timeout`, asks port 8000 where the server listens, and uses
    Python rather than curl or wget, which the slim image does not have."""
    options, command = image.healthcheck()
    assert "timeout" in options, "HEALTHCHECK without --timeout: a hung server hangs the check"
    assert command[0] not in ("curl", "wget"), f"{command[0]} is not in python:3.11-slim"
    url = LOCAL_URL.search(" ".join(command))
    assert url is not None, f"the HEALTHCHECK requests no http://127.0.0.1 URL: {command}"
    assert url["port"] == "8000", f"the HEALTHCHECK asks port {url['port']}, not 8000"
