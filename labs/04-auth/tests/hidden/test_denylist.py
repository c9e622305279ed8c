"""Lab 4, hidden tests: the instructor grades with these as well as the public ones."""

from datetime import timedelta
from types import ModuleType
from typing import Any

from labsupport.app import API, DEFAULT_PASSWORD, sign_up

from reference_app.auth.models import RevokedAccessToken
from reference_app.core.database import utcnow


async def test_revocation_is_per_token(lab: ModuleType, sessions: Any, claims: Any) -> None:
    """Revoking one token leaves every other token valid: look up by the exact token id."""
    revoked, other = claims(), claims()
    async with sessions() as session:
        await lab.revoke_access_token(session, revoked)
    async with sessions() as session:
        answers = [await lab.is_access_token_revoked(session, t.token_id) for t in (revoked, other)]
    assert answers == [True, False], f"revoked token, other token: {answers}"


async def test_revoking_twice_is_harmless(lab: ModuleType, sessions: Any, claims: Any) -> None:
    """A retried logout revokes the same token again: check first (session.get) instead of
    inserting a duplicate primary key."""
    token = claims()
    async with sessions() as session:
        await lab.revoke_access_token(session, token)
    async with sessions() as session:
        await lab.revoke_access_token(session, token)
    async with sessions() as session:
        revoked = await lab.is_access_token_revoked(session, token.token_id)
    assert revoked is True, "the token is not revoked after revoking it twice"


async def test_the_entry_expires_with_the_token(
    lab: ModuleType, sessions: Any, claims: Any
) -> None:
    """Store the token's own expiry (claims.expires_at) in the row, so it can be purged later."""
    token = claims(expires_in=timedelta(minutes=12))
    async with sessions() as session:
        await lab.revoke_access_token(session, token)
    async with sessions() as session:
        row = await session.get(RevokedAccessToken, token.token_id)
    assert row is not None, "no RevokedAccessToken row with the token's id"
    assert row.expires_at == token.expires_at


async def test_purge_removes_only_expired_entries(
    lab: ModuleType, sessions: Any, claims: Any
) -> None:
    """purge_expired_revocations deletes rows with expires_at <= now, commits, and returns the
    number deleted (result.rowcount); a token still alive stays revoked."""
    expired = [claims(expires_in=-timedelta(minutes=5)), claims(expires_in=-timedelta(hours=1))]
    alive = claims(expires_in=timedelta(minutes=5))
    async with sessions() as session:
        for token in [*expired, alive]:
            await lab.revoke_access_token(session, token)
    async with sessions() as session:
        purged = await lab.purge_expired_revocations(session, utcnow())
    assert purged == 2, f"purged {purged!r} entries; 2 had expired"
    async with sessions() as session:
        assert await lab.is_access_token_revoked(session, alive.token_id), "purged a live token"
        assert await session.get(RevokedAccessToken, expired[0].token_id) is None


async def test_logout_leaves_other_sessions_signed_in(client: Any) -> None:
    """Logging out on one device ends that token only: the same user's other login still works."""
    account = await sign_up(client)
    login = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.text
    other_device = {"Authorization": f"Bearer {login.json()['access_token']}"}
    await client.post(f"{API}/auth/logout", headers=account.headers)
    other = await client.get(f"{API}/users/me", headers=other_device)
    assert other.status_code == 200, f"the other session got {other.status_code}"
    logged_out = await client.get(f"{API}/users/me", headers=account.headers)
    assert logged_out.status_code == 401, f"the logged-out token got {logged_out.status_code}"
