"""Profiles: read yourself or others, update only yourself (superusers anyone)."""

import uuid

from fastapi import FastAPI
from httpx import AsyncClient

from reference_app.services import services_of
from reference_app.users.models import User
from reference_app.users.password_policy import common_passwords
from reference_app.users.schemas import PASSWORD_MIN_LENGTH
from tests.support import Account, error_code, sign_up

USERS = "/api/v1/users"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"


async def make_superuser(app: FastAPI, account: Account) -> None:
    async with services_of(app).sessionmaker() as session:
        user = await session.get(User, uuid.UUID(account.id))
        assert user is not None
        user.is_superuser = True
        await session.commit()


async def test_me_returns_the_signed_in_user(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.get(f"{USERS}/me", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["email"] == account.email


async def test_read_another_user_by_id_shows_only_the_public_profile(client: AsyncClient) -> None:
    me, other = await sign_up(client), await sign_up(client)
    response = await client.get(f"{USERS}/{other.id}", headers=me.headers)
    assert response.status_code == 200
    assert set(response.json()) == {"id", "full_name", "created_at"}
    assert response.json()["id"] == other.id
    assert other.email not in response.text


async def test_yourself_and_superusers_read_the_whole_profile(
    client: AsyncClient, app: FastAPI
) -> None:
    me, admin = await sign_up(client), await sign_up(client)
    await make_superuser(app, admin)
    for reader in (me, admin):
        response = await client.get(f"{USERS}/{me.id}", headers=reader.headers)
        assert response.json()["email"] == me.email
        assert response.json()["is_superuser"] is False


async def test_the_openapi_document_describes_both_profiles(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    read_user = schema["paths"]["/api/v1/users/{user_id}"]["get"]
    body = read_user["responses"]["200"]["content"]["application/json"]["schema"]
    assert sorted(ref["$ref"] for ref in body["anyOf"]) == [
        "#/components/schemas/UserPublic",
        "#/components/schemas/UserRead",
    ]
    assert set(schema["components"]["schemas"]["UserPublic"]["properties"]) == {
        "id",
        "full_name",
        "created_at",
    }


async def test_read_unknown_user_is_404(client: AsyncClient) -> None:
    me = await sign_up(client)
    response = await client.get(f"{USERS}/{uuid.uuid4()}", headers=me.headers)
    assert response.status_code == 404
    assert error_code(response) == "NOT_FOUND"
    assert response.json()["error"]["details"]["resource"] == "user"


async def test_read_user_with_malformed_id_is_422(client: AsyncClient) -> None:
    me = await sign_up(client)
    response = await client.get(f"{USERS}/not-a-uuid", headers=me.headers)
    assert error_code(response) == "VALIDATION_ERROR"


async def test_reading_users_requires_authentication(client: AsyncClient) -> None:
    other = await sign_up(client)
    assert (await client.get(f"{USERS}/{other.id}")).status_code == 401


async def test_update_own_profile(client: AsyncClient) -> None:
    me = await sign_up(client)
    response = await client.patch(
        f"{USERS}/{me.id}", headers=me.headers, json={"full_name": "Ada Lovelace"}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Ada Lovelace"
    assert response.json()["email"] == me.email


async def test_change_email_and_password_then_log_in_with_them(client: AsyncClient) -> None:
    me = await sign_up(client)
    response = await client.patch(
        f"{USERS}/{me.id}",
        headers=me.headers,
        json={
            "email": "New.Address@example.com",
            "password": "a brand new password",
            "current_password": me.password,
        },
    )
    assert response.json()["email"] == "new.address@example.com"
    old = await client.post("/api/v1/auth/login", json={"email": me.email, "password": me.password})
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/login",
        json={"email": "new.address@example.com", "password": "a brand new password"},
    )
    assert new.status_code == 200


async def test_null_email_leaves_email_unchanged(client: AsyncClient) -> None:
    me = await sign_up(client)
    body = {"email": None, "current_password": me.password}  # named: current_password too
    response = await client.patch(f"{USERS}/{me.id}", headers=me.headers, json=body)
    assert response.json()["email"] == me.email


async def test_cannot_update_another_user(client: AsyncClient) -> None:
    me, other = await sign_up(client), await sign_up(client)
    response = await client.patch(
        f"{USERS}/{other.id}", headers=me.headers, json={"full_name": "Hacked"}
    )
    assert response.status_code == 403
    assert error_code(response) == "FORBIDDEN"


async def test_superuser_can_update_another_user(client: AsyncClient, app: FastAPI) -> None:
    admin, other = await sign_up(client), await sign_up(client)
    await make_superuser(app, admin)
    response = await client.patch(
        f"{USERS}/{other.id}", headers=admin.headers, json={"full_name": "Renamed"}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Renamed"


async def test_superuser_updating_unknown_user_gets_404(client: AsyncClient, app: FastAPI) -> None:
    admin = await sign_up(client)
    await make_superuser(app, admin)
    response = await client.patch(
        f"{USERS}/{uuid.uuid4()}", headers=admin.headers, json={"full_name": "Nobody"}
    )
    assert response.status_code == 404


async def test_email_taken_by_another_user_is_a_conflict(client: AsyncClient) -> None:
    me, other = await sign_up(client), await sign_up(client)
    response = await client.patch(
        f"{USERS}/{me.id}",
        headers=me.headers,
        json={"email": other.email, "current_password": me.password},
    )
    assert response.status_code == 409
    assert error_code(response) == "EMAIL_ALREADY_REGISTERED"


async def test_oversized_and_unknown_fields_are_rejected(client: AsyncClient) -> None:
    me = await sign_up(client)
    oversized = await client.patch(
        f"{USERS}/{me.id}", headers=me.headers, json={"full_name": "x" * 101}
    )
    unknown = await client.patch(
        f"{USERS}/{me.id}", headers=me.headers, json={"is_superuser": True}
    )
    assert oversized.status_code == unknown.status_code == 422
    profile = (await client.get(f"{USERS}/me", headers=me.headers)).json()
    assert profile["is_superuser"] is False
    assert profile["full_name"] is None


async def test_changing_email_or_password_needs_the_current_password(client: AsyncClient) -> None:
    me = await sign_up(client)
    url = f"{USERS}/{me.id}"
    changes = (
        {"email": "taken.over@example.com"},
        {"password": "the attacker's now"},
        {"email": None},
    )
    for change in changes:
        missing = await client.patch(url, headers=me.headers, json=change)
        assert missing.status_code == 422
        assert error_code(missing) == "VALIDATION_ERROR"
        assert "current_password" in missing.json()["error"]["details"][0]["message"]
        wrong = {**change, "current_password": "a wrong guess"}
        refused = await client.patch(url, headers=me.headers, json=wrong)
        assert refused.status_code == 403
        assert error_code(refused) == "INVALID_CREDENTIALS"
    profile = (await client.get(f"{USERS}/me", headers=me.headers)).json()
    assert profile["email"] == me.email
    login = await client.post(LOGIN, json={"email": me.email, "password": me.password})
    assert login.status_code == 200


async def test_a_new_password_ends_every_other_session(client: AsyncClient) -> None:
    me = await sign_up(client)  # this session changes the password
    elsewhere = (await client.post(LOGIN, json={"email": me.email, "password": me.password})).json()
    change = {"password": "a brand new password", "current_password": me.password}
    assert (await client.patch(f"{USERS}/{me.id}", headers=me.headers, json=change)).is_success

    other = await client.post(REFRESH, json={"refresh_token": elsewhere["refresh_token"]})
    assert other.status_code == 401
    assert error_code(other) == "TOKEN_REVOKED"
    mine = await client.post(REFRESH, json={"refresh_token": me.refresh_token})
    assert mine.status_code == 200


async def test_a_superuser_confirms_with_their_own_password(
    client: AsyncClient, app: FastAPI
) -> None:
    admin, other = await sign_up(client), await sign_up(client)
    await make_superuser(app, admin)
    url = f"{USERS}/{other.id}"
    with_theirs = {"password": "reset by an admin", "current_password": other.password + "!"}
    assert (await client.patch(url, headers=admin.headers, json=with_theirs)).status_code == 403
    with_own = {"password": "reset by an admin", "current_password": admin.password}
    assert (await client.patch(url, headers=admin.headers, json=with_own)).status_code == 200

    # None of the account's sessions is the admin's: all of them end.
    refreshed = await client.post(REFRESH, json={"refresh_token": other.refresh_token})
    assert error_code(refreshed) == "TOKEN_REVOKED"
    admin_refresh = await client.post(REFRESH, json={"refresh_token": admin.refresh_token})
    assert admin_refresh.status_code == 200


async def test_a_new_password_must_not_be_a_common_one(client: AsyncClient) -> None:
    me = await sign_up(client)
    change = {"password": "Password123", "current_password": me.password}
    response = await client.patch(f"{USERS}/{me.id}", headers=me.headers, json=change)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "common_password"


def test_the_common_password_list_holds_only_what_the_length_rule_lets_through() -> None:
    """Shorter entries would be dead weight: the length rule refuses them first."""
    passwords = common_passwords()
    assert len(passwords) > 10_000
    assert all(len(password) >= PASSWORD_MIN_LENGTH for password in passwords)
    assert all(password == password.lower() for password in passwords)  # compared in lower case
