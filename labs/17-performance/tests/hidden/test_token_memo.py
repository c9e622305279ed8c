"""Lab 17, hidden tests: the memo's safety properties, and logout through the app."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from labsupport.app import API, error_of, sign_up

from reference_app.core.config import Settings
from reference_app.core.errors import AuthenticationError
from reference_app.core.security import TokenType


def test_a_bad_token_is_refused_every_time(
    lab: ModuleType, settings: Settings, issue: Callable[..., str], decodes: list[str]
) -> None:
    """A token that fails verification raises AuthenticationError (INVALID_TOKEN) each time it
    is sent, and is never remembered: only tokens that verified may be."""
    memo = lab.TokenMemo(settings)
    forged = issue()[:-4] + "AAAA"  # the signature no longer matches
    for _ in range(2):
        with pytest.raises(AuthenticationError) as refused:
            memo.verify(forged)
        assert refused.value.code == "INVALID_TOKEN"
    assert len(decodes) == 2, "a bad token must be verified (and refused) every time"
    assert len(memo) == 0, "a token that failed verification was remembered"


def test_a_refresh_token_is_refused(
    lab: ModuleType, settings: Settings, issue: Callable[..., str]
) -> None:
    """A refresh token is not an access token: verify raises INVALID_TOKEN and remembers
    nothing (decode_token checks the type when you pass TokenType.ACCESS)."""
    memo = lab.TokenMemo(settings)
    with pytest.raises(AuthenticationError) as refused:
        memo.verify(issue(token_type=TokenType.REFRESH))
    assert refused.value.code == "INVALID_TOKEN"
    assert len(memo) == 0


async def test_an_expired_token_is_verified_again(
    lab: ModuleType, settings: Settings, issue: Callable[..., str], decodes: list[str]
) -> None:
    """A remembered token stops working when it expires: verify then raises TOKEN_EXPIRED, as
    it would without the memo. Compare the claims' expires_at with utcnow() on every hit."""
    memo = lab.TokenMemo(settings)
    token = issue(lifetime=timedelta(seconds=1))
    memo.verify(token)
    await asyncio.sleep(2.1)  # JWT times are whole seconds: past the expiry whatever the rounding
    with pytest.raises(AuthenticationError) as refused:
        memo.verify(token)
    assert refused.value.code == "TOKEN_EXPIRED"
    assert len(decodes) == 2, "an expired entry must go back to decode_token"


def test_the_least_recently_used_entry_goes_first(
    lab: ModuleType, settings: Settings, issue: Callable[..., str], decodes: list[str]
) -> None:
    """With max_entries=2: verify a, b, a again, then c. The memo holds 2 entries, and b (used
    least recently) is the one forgotten: a is answered from the memo, b is verified again."""
    memo = lab.TokenMemo(settings, max_entries=2)
    a, b, c = issue(), issue(), issue()
    for token in (a, b, a, c):
        memo.verify(token)
    assert len(memo) == 2, f"len(memo) is {len(memo)} with max_entries=2"
    decodes.clear()
    memo.verify(a)
    assert decodes == [], "the most recently used token was forgotten"
    memo.verify(b)
    assert decodes == [b], "the least recently used token was kept"


async def test_logout_still_ends_a_memoised_token(app_with_memo: tuple[Any, Any]) -> None:
    """The memo skips PyJWT, not the denylist: after POST /auth/logout the remembered token gets
    401 TOKEN_REVOKED."""
    client, _memo = app_with_memo
    account = await sign_up(client)
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    assert (await client.post(f"{API}/auth/logout", headers=account.headers)).status_code == 204
    after = await client.get(f"{API}/users/me", headers=account.headers)
    assert after.status_code == 401
    assert error_of(after)["code"] == "TOKEN_REVOKED"
