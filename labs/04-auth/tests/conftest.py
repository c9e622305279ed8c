"""Lab 4 fixtures: a database session, token claims, and the app using the student's denylist.

The app's logout denylist is one of its services (``Services.access_denylist``, see
``reference_app/services.py``): the lab builds the services, gives them a denylist that stores
and looks tokens up with the student's functions, and hands them to ``create_app``, the app's
one seam. The cache in front of the denylist, and the rest of logout, stay the app's own.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import ModuleType

import pytest
from httpx import AsyncClient
from labsupport.app import app_client, make_settings
from labsupport.student import import_student
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.auth.revocation import AccessTokenDenylist
from reference_app.core.database import create_engine, create_sessionmaker, utcnow
from reference_app.core.security import TokenClaims, TokenType
from reference_app.main import create_app
from reference_app.services import build_services

pytest_plugins = ["labsupport.plugin"]


@pytest.fixture
def lab() -> ModuleType:
    """The student's denylist module."""
    return import_student("lab_denylist")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh, migrated database; use a new one to see only what was committed."""
    engine = create_engine(make_settings(database_url))
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def claims() -> Callable[..., TokenClaims]:
    """The claims of an access token that expires ``expires_in`` from now."""

    def make(expires_in: timedelta = timedelta(minutes=30)) -> TokenClaims:
        now = utcnow().replace(microsecond=0)
        return TokenClaims(
            user_id=uuid.uuid4(),
            token_type=TokenType.ACCESS,
            token_id=uuid.uuid4(),
            session_id=uuid.uuid4(),
            issued_at=now - timedelta(minutes=1),
            expires_at=now + expires_in,
        )

    return make


@pytest.fixture
async def client(database_url: str, lab: ModuleType) -> AsyncIterator[AsyncClient]:
    """The app, its denylist kept by the student's functions."""
    services = build_services(make_settings(database_url))
    services.access_denylist = AccessTokenDenylist(
        services.sessionmaker,
        services.cache,
        revoke=lab.revoke_access_token,
        is_revoked=lab.is_access_token_revoked,
    )
    async with app_client(create_app(services=services)) as http:
        yield http
