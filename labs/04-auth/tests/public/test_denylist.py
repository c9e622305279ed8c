"""Lab 4, public tests: run them with ``workbook lab check 04``."""

import uuid
from types import ModuleType
from typing import Any

from labsupport.app import API, error_of, sign_up


async def test_a_fresh_token_is_not_revoked(lab: ModuleType, sessions: Any) -> None:
    """is_access_token_revoked is False for a token nobody revoked."""
    async with sessions() as session:
        revoked = await lab.is_access_token_revoked(session, uuid.uuid4())
    assert revoked is False, f"a token nobody revoked is reported as revoked ({revoked!r})"


async def test_a_revoked_token_is_reported_revoked(
    lab: ModuleType, sessions: Any, claims: Any
) -> None:
    """revoke_access_token adds a RevokedAccessToken row (id=claims.token_id) and commits;
    is_access_token_revoked then finds it (session.get by primary key)."""
    token = claims()
    async with sessions() as session:
        await lab.revoke_access_token(session, token)
    async with sessions() as session:  # a new session sees only what was committed
        revoked = await lab.is_access_token_revoked(session, token.token_id)
    assert revoked is True, f"a revoked token is reported as not revoked ({revoked!r})"


async def test_logout_denies_the_access_token(client: Any) -> None:
    """After POST /auth/logout the same access token gets 401 TOKEN_REVOKED: the app's logout
    calls your revoke_access_token and every request calls your is_access_token_revoked."""
    account = await sign_up(client)
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    logout = await client.post(f"{API}/auth/logout", headers=account.headers)
    assert logout.status_code == 204, logout.text
    after = await client.get(f"{API}/users/me", headers=account.headers)
    assert after.status_code == 401, f"a logged-out token still gets {after.status_code}"
    assert error_of(after)["code"] == "TOKEN_REVOKED"
