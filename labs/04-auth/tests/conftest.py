"""Lab 4 fixtures: a database session, token claims, and the app using the student's denylist.

The app looks its services up at call time (``auth_service.logout(...)``), so the lab swaps two
of them for the student's functions without touching the app's code: a plug-in point a test
can use, like a dependency override.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import ModuleType

import pytest
from httpx import AsyncClient
from labsupport.app import app_client, make_settings
from labsupport.student import import_student
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reference_app.auth import service as auth_service
from reference_app.auth.models import RefreshToken
from reference_app.core.database import create_engine, create_sessionmaker, utcnow
from reference_app.core.security import TokenClaims, TokenType
from reference_app.main import create_app

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
async def client(
    database_url: str, lab: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncClient]:
    """The app, its denylist replaced by the student's functions."""

    async def logout(session: AsyncSession, claims: TokenClaims) -> None:
        # The refresh side of logout stays the app's: end the session's refresh-token family.
        await session.execute(
            update(RefreshToken)
            .where(
                col(RefreshToken.family_id) == claims.session_id,
                col(RefreshToken.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )
        await session.commit()
        await lab.revoke_access_token(session, claims)

    monkeypatch.setattr(auth_service, "is_access_token_revoked", lab.is_access_token_revoked)
    monkeypatch.setattr(auth_service, "logout", logout)
    app = create_app(make_settings(database_url))
    async with app_client(app) as http:
        yield http
