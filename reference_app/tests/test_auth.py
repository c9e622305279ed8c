"""Sign-up, login, token checks, refresh rotation with reuse detection, logout."""

import asyncio
import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlmodel import col, select

from reference_app.auth.models import RefreshToken
from reference_app.core.config import Settings
from reference_app.core.security import TokenType, create_token
from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.testing import settings_for_tests
from reference_app.users.models import User
from tests.support import DEFAULT_PASSWORD, Account, error_code, sign_up

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_signup_returns_the_user_and_a_working_token_pair(client: AsyncClient) -> None:
    response = await client.post(
        SIGNUP, json={"email": "Ada@Example.COM", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert "hashed_password" not in body["user"]
    assert body["tokens"]["token_type"] == "bearer"
    assert body["tokens"]["expires_in"] == 30 * 60
    me = await client.get(ME, headers=bearer(body["tokens"]["access_token"]))
    assert me.json()["id"] == body["user"]["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": DEFAULT_PASSWORD}, "email"),
        ({"email": "short@example.com", "password": "1234567"}, "password"),
        ({"email": "long@example.com", "password": "x" * 129}, "password"),
        ({"email": "extra@example.com", "password": DEFAULT_PASSWORD, "admin": True}, "admin"),
        ({"password": DEFAULT_PASSWORD}, "email"),
    ],
)
async def test_signup_rejects_invalid_input(
    client: AsyncClient, payload: dict[str, object], field: str
) -> None:
    response = await client.post(SIGNUP, json=payload)
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["loc"][-1] == field
    assert DEFAULT_PASSWORD not in response.text  # input is never echoed back


async def test_duplicate_email_is_a_conflict_whatever_the_case(client: AsyncClient) -> None:
    await sign_up(client, email="dup@example.com")
    response = await client.post(
        SIGNUP, json={"email": "DUP@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 409
    assert error_code(response) == "EMAIL_ALREADY_REGISTERED"


async def test_login_with_json_body(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.post(LOGIN, json={"email": account.email, "password": account.password})
    assert response.status_code == 200
    assert (
        await client.get(ME, headers=bearer(response.json()["access_token"]))
    ).status_code == 200


async def test_login_with_oauth2_password_form(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.post(
        LOGIN, data={"username": account.email, "password": account.password}
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_wrong_password_and_unknown_email_are_indistinguishable(
    client: AsyncClient,
) -> None:
    account = await sign_up(client)
    wrong_password = await client.post(LOGIN, json={"email": account.email, "password": "nope!"})
    unknown_email = await client.post(
        LOGIN, json={"email": "nobody@example.com", "password": "nope!"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert error_code(wrong_password) == error_code(unknown_email) == "INVALID_CREDENTIALS"
    assert wrong_password.json()["error"]["message"] == unknown_email.json()["error"]["message"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json": ["a", "list"]},
        {"data": {"username": "ada@example.com"}},
    ],
)
async def test_malformed_login_is_a_validation_error(
    client: AsyncClient, request_kwargs: dict[str, object]
) -> None:
    response = await client.post(LOGIN, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"


async def test_missing_token_is_401_with_www_authenticate(client: AsyncClient) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert error_code(response) == "NOT_AUTHENTICATED"


async def test_expired_access_token_is_rejected(client: AsyncClient, settings: Settings) -> None:
    account = await sign_up(client)
    token, _ = create_token(
        settings,
        user_id=uuid.UUID(account.id),
        token_type=TokenType.ACCESS,
        session_id=uuid.uuid4(),
        lifetime=timedelta(seconds=-1),
    )
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert error_code(response) == "TOKEN_EXPIRED"


async def test_tampered_signature_is_rejected(client: AsyncClient) -> None:
    account = await sign_up(client)
    header, payload, signature = account.access_token.split(".")
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    response = await client.get(ME, headers=bearer(f"{header}.{payload}.{flipped}"))
    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


async def test_token_signed_with_another_key_is_rejected(client: AsyncClient) -> None:
    account = await sign_up(client)
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-key-of-sufficient-length!", algorithm="HS256")
    response = await client.get(ME, headers=bearer(forged))
    assert error_code(response) == "INVALID_TOKEN"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_alg_none_token_is_rejected(client: AsyncClient) -> None:
    account = await sign_up(client)
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    response = await client.get(ME, headers=bearer(unsigned))
    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


async def test_garbage_token_is_rejected(client: AsyncClient) -> None:
    response = await client.get(ME, headers=bearer("not.a.jwt"))
    assert error_code(response) == "INVALID_TOKEN"


async def test_token_with_malformed_subject_is_rejected(
    client: AsyncClient, settings: Settings
) -> None:
    account = await sign_up(client)
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    claims["sub"] = "not-a-uuid"
    token = jwt.encode(claims, settings.signing_key, algorithm="HS256")
    assert error_code(await client.get(ME, headers=bearer(token))) == "INVALID_TOKEN"


async def test_refresh_token_cannot_be_used_as_access_token(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.get(ME, headers=bearer(account.refresh_token))
    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


async def test_access_token_cannot_be_used_as_refresh_token(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.post(REFRESH, json={"refresh_token": account.access_token})
    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


async def test_refresh_rotates_the_pair(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh_token"] != account.refresh_token
    assert (await client.get(ME, headers=bearer(rotated["access_token"]))).status_code == 200
    again = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert again.status_code == 200


async def let_the_grace_window_pass(app: FastAPI) -> None:
    """Move every refresh token's use back past the reuse grace window, as if time had passed."""
    elapsed = timedelta(seconds=services_of(app).settings.refresh_reuse_grace_seconds + 1)
    async with services_of(app).sessionmaker() as session:
        used = await session.scalars(
            select(RefreshToken).where(col(RefreshToken.used_at).isnot(None))
        )
        for token in used:
            assert token.used_at is not None
            token.used_at -= elapsed
        await session.commit()


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    client: AsyncClient, app: FastAPI
) -> None:
    account = await sign_up(client)
    first = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    newest_refresh = first.json()["refresh_token"]
    await let_the_grace_window_pass(app)

    replay = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401
    assert error_code(replay) == "REFRESH_TOKEN_REUSED"

    # The legitimate holder of the newest token is logged out too: the family is gone.
    after = await client.post(REFRESH, json={"refresh_token": newest_refresh})
    assert after.status_code == 401
    assert error_code(after) == "TOKEN_REVOKED"


async def test_reuse_does_not_touch_other_sessions(client: AsyncClient, app: FastAPI) -> None:
    account = await sign_up(client)
    other_session = await client.post(
        LOGIN, json={"email": account.email, "password": account.password}
    )
    await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    await let_the_grace_window_pass(app)
    reuse = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert error_code(reuse) == "REFRESH_TOKEN_REUSED"
    survivor = await client.post(
        REFRESH, json={"refresh_token": other_session.json()["refresh_token"]}
    )
    assert survivor.status_code == 200


async def test_two_simultaneous_refreshes_with_one_token_both_succeed(client: AsyncClient) -> None:
    """Two tabs refreshing at once: within the grace window the second gets the same successor,
    instead of ending the session for both."""
    account = await sign_up(client)
    body = {"refresh_token": account.refresh_token}
    first, second = await asyncio.gather(
        client.post(REFRESH, json=body), client.post(REFRESH, json=body)
    )
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["refresh_token"] == second.json()["refresh_token"]  # one chain, not two
    for response in (first, second):
        me = await client.get(ME, headers=bearer(response.json()["access_token"]))
        assert me.status_code == 200
    onwards = await client.post(REFRESH, json={"refresh_token": first.json()["refresh_token"]})
    assert onwards.status_code == 200


async def test_the_grace_window_repeats_the_rotation_it_follows(client: AsyncClient) -> None:
    account = await sign_up(client)
    rotated = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    repeated = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert repeated.status_code == 200
    assert repeated.json()["refresh_token"] == rotated.json()["refresh_token"]
    assert repeated.json()["access_token"] != rotated.json()["access_token"]


async def test_no_grace_after_logout(client: AsyncClient) -> None:
    account = await sign_up(client)
    rotated = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    await client.post(LOGOUT, headers=bearer(rotated.json()["access_token"]))
    replay = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401
    assert error_code(replay) == "TOKEN_REVOKED"


async def test_a_zero_grace_window_revokes_on_the_first_reuse(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, refresh_reuse_grace_seconds=0))
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        account = await sign_up(client)
        await client.post(REFRESH, json={"refresh_token": account.refresh_token})
        replay = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
        assert error_code(replay) == "REFRESH_TOKEN_REUSED"


async def test_token_responses_forbid_caching(client: AsyncClient) -> None:
    """RFC 6749 §5.1: a response with tokens in it says Cache-Control: no-store."""
    email = f"cache-{uuid.uuid4().hex[:8]}@example.com"
    signup = await client.post(SIGNUP, json={"email": email, "password": DEFAULT_PASSWORD})
    login = await client.post(LOGIN, json={"email": email, "password": DEFAULT_PASSWORD})
    refresh = await client.post(REFRESH, json={"refresh_token": login.json()["refresh_token"]})
    for response in (signup, login, refresh):
        assert response.is_success, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"


@pytest.mark.parametrize("password", ["password123", "Iloveyou1", "QWERTYUIOP"])
async def test_signup_refuses_a_common_password(client: AsyncClient, password: str) -> None:
    response = await client.post(SIGNUP, json={"email": "c@example.com", "password": password})
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    [detail] = response.json()["error"]["details"]
    assert (detail["loc"][-1], detail["type"]) == ("password", "common_password")
    assert "common" in detail["message"]


async def test_password_reset_refuses_a_common_password(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": "any", "new_password": "trustno1"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "common_password"


async def test_unknown_refresh_token_is_rejected(client: AsyncClient, settings: Settings) -> None:
    account = await sign_up(client)
    never_stored, _ = create_token(
        settings,
        user_id=uuid.UUID(account.id),
        token_type=TokenType.REFRESH,
        session_id=uuid.uuid4(),
        lifetime=timedelta(days=1),
    )
    response = await client.post(REFRESH, json={"refresh_token": never_stored})
    assert error_code(response) == "INVALID_TOKEN"


async def test_logout_revokes_access_token_and_session(client: AsyncClient) -> None:
    account: Account = await sign_up(client)
    response = await client.post(LOGOUT, headers=account.headers)
    assert response.status_code == 204

    reuse_access = await client.get(ME, headers=account.headers)
    assert reuse_access.status_code == 401
    assert error_code(reuse_access) == "TOKEN_REVOKED"

    reuse_refresh = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert reuse_refresh.status_code == 401
    assert error_code(reuse_refresh) == "TOKEN_REVOKED"


async def test_logout_needs_a_token(client: AsyncClient) -> None:
    assert (await client.post(LOGOUT)).status_code == 401


async def test_disabled_account_cannot_log_in_or_use_tokens(
    client: AsyncClient, app: FastAPI
) -> None:
    account = await sign_up(client)
    async with services_of(app).sessionmaker() as session:
        user = await session.get(User, uuid.UUID(account.id))
        assert user is not None
        user.is_active = False
        await session.commit()

    login = await client.post(LOGIN, json={"email": account.email, "password": account.password})
    assert login.status_code == 403
    assert error_code(login) == "ACCOUNT_DISABLED"
    assert error_code(await client.get(ME, headers=account.headers)) == "INVALID_TOKEN"
    refresh = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
    assert error_code(refresh) == "INVALID_TOKEN"
