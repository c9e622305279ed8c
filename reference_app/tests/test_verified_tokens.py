"""The memo of verified access tokens: verify once, honour expiry, remember only good tokens."""

import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from reference_app.auth import verified_tokens as module
from reference_app.auth.verified_tokens import VerifiedTokens
from reference_app.core.config import Settings
from reference_app.core.errors import AuthenticationError
from reference_app.core.security import TokenClaims, TokenType, create_token, decode_token
from reference_app.services import services_of
from tests.support import sign_up

ME = "/api/v1/users/me"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the memo hands to PyJWT (through ``decode_token``), in order."""
    seen: list[str] = []

    def counting_decode(settings: Settings, token: str, expected_type: TokenType) -> TokenClaims:
        seen.append(token)
        return decode_token(settings, token, expected_type)

    monkeypatch.setattr(module, "decode_token", counting_decode)
    return seen


def new_token(settings: Settings, token_type: TokenType = TokenType.ACCESS) -> str:
    """A freshly signed token of ``token_type`` for a made-up user and session."""
    token, _ = create_token(
        settings,
        user_id=uuid.uuid4(),
        token_type=token_type,
        session_id=uuid.uuid4(),
        lifetime=timedelta(minutes=5),
    )
    return token


def test_a_repeated_token_is_verified_once(settings: Settings, decodes: list[str]) -> None:
    memo = VerifiedTokens(settings)
    token = new_token(settings)
    first = memo.verify(token)
    assert memo.verify(token) == first
    assert memo.verify(token) == first
    assert decodes == [token]


def test_an_expired_entry_is_verified_again(
    settings: Settings, decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = VerifiedTokens(settings)
    token = new_token(settings)
    claims = memo.verify(token)
    monkeypatch.setattr(module, "utcnow", lambda: claims.expires_at)  # the instant it expires
    memo.verify(token)  # PyJWT's clock is real: still valid for it, so it verifies again
    assert decodes == [token, token]


def test_a_token_that_fails_is_not_remembered(settings: Settings, decodes: list[str]) -> None:
    memo = VerifiedTokens(settings)
    token = new_token(settings)
    header, payload, _signature = token.split(".")
    forged = f"{header}.{payload}.{'A' * 43}"
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            memo.verify(forged)
    assert decodes == [forged, forged]
    assert len(memo) == 0


def test_a_refresh_token_is_refused_by_a_memo_holding_access_tokens(
    settings: Settings,
) -> None:
    memo = VerifiedTokens(settings)
    memo.verify(new_token(settings))
    with pytest.raises(AuthenticationError):
        memo.verify(new_token(settings, TokenType.REFRESH))


def test_the_least_recently_used_entry_goes_first(settings: Settings, decodes: list[str]) -> None:
    memo = VerifiedTokens(settings, max_entries=2)
    a, b, c = (new_token(settings) for _ in range(3))
    memo.verify(a)
    memo.verify(b)
    memo.verify(a)  # a is now the most recently used
    memo.verify(c)  # full: b goes
    assert len(memo) == 2
    memo.verify(a)
    memo.verify(b)
    assert decodes == [a, b, c, b]


async def test_the_app_verifies_a_clients_token_once(
    app: FastAPI, client: AsyncClient, decodes: list[str]
) -> None:
    account = await sign_up(client)
    for _ in range(3):
        assert (await client.get(ME, headers=account.headers)).status_code == 200
    assert decodes == [account.access_token]


def test_create_app_gives_the_app_an_empty_memo(app: FastAPI) -> None:
    memo = services_of(app).verified_tokens
    assert isinstance(memo, VerifiedTokens)
    assert len(memo) == 0
