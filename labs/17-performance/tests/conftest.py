"""Lab 17 fixtures: tokens to verify, a count of PyJWT's work, and the app with your memo.

The app's memo of verified tokens is one of its services (``Services.verified_tokens``, see
``reference_app/services.py``). The lab builds the services, puts the student's ``TokenMemo``
in its place, and hands them to ``create_app``, the app's one seam: every authenticated request
then verifies its token through the student's code.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from labsupport.app import app_client, make_settings
from labsupport.student import import_student

from reference_app.core.config import Settings
from reference_app.core.security import TokenType, create_token
from reference_app.main import create_app
from reference_app.services import build_services

pytest_plugins = ["labsupport.plugin"]


@pytest.fixture
def lab() -> ModuleType:
    """The student's module."""
    return import_student("lab_token_memo")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def issue(settings: Settings) -> Callable[..., str]:
    """A token signed with the app's key: an access token valid for ``lifetime`` by default."""

    def issue(
        lifetime: timedelta = timedelta(minutes=15), token_type: TokenType = TokenType.ACCESS
    ) -> str:
        token, _claims = create_token(
            settings,
            user_id=uuid.uuid4(),
            token_type=token_type,
            session_id=uuid.uuid4(),
            lifetime=lifetime,
        )
        return token

    return issue


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens PyJWT verified (``jwt.decode``) during the test, in order."""
    seen: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(token if isinstance(token, str) else token.decode())
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    return seen


@pytest.fixture
async def app_with_memo(
    settings: Settings, lab: ModuleType
) -> AsyncIterator[tuple[AsyncClient, Any]]:
    """A client of the app whose token memo is the student's, and that memo."""
    services = build_services(settings)
    memo = lab.TokenMemo(settings)
    services.verified_tokens = memo
    async with app_client(create_app(services=services)) as client:
        yield client, memo
