"""Password policy: long enough, and not one of the most common passwords.

A length rule alone lets ``password``, ``12345678`` and ``iloveyou`` through, and those are the
first guesses of every credential-stuffing run. NIST SP 800-63B (§5.1.1.2) asks that passwords
found in lists of commonly used or breached ones be refused. The list ships inside the package
(``common_passwords.txt``, where it comes from is written at its top), so the check needs no
network and no outside service. The comparison ignores case: ``PassWord1`` is guessed as early
as ``password1``.
"""

from functools import cache
from importlib.resources import files

from pydantic_core import PydanticCustomError

COMMON_PASSWORDS_FILE = "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The list, read on first use (about 11,600 entries, all in lower case)."""
    text = files(__package__).joinpath(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_common_password(password: str) -> bool:
    return password.lower() in common_passwords()


def refuse_common_password(password: str) -> str:
    """A Pydantic validator: a common password is a validation error (422 ``VALIDATION_ERROR``).

    The error's ``type`` is ``common_password``, so a client can tell it from a length error.
    """
    if is_common_password(password):
        raise PydanticCustomError(
            "common_password",
            "This password is one of the most common ones and easy to guess; choose another",
        )
    return password
