"""Profiles: read yourself or others, update only yourself (superusers anyone)."""

import uuid

from fastapi import FastAPI
from httpx import AsyncClient

from reference_app.users.models import User
from tests.support import error_code, sign_up

USERS = "/api/v1/users"


async def test_me_returns_the_signed_in_user(client: AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.get(f"{USERS}/me", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["email"] == account.email


async def test_read_another_user_by_id(client: AsyncClient) -> None:
    me, other = await sign_up(client), await sign_up(client)
    response = await client.get(f"{USERS}/{other.id}", headers=me.headers)
    assert response.status_code == 200
    assert response.json()["id"] == other.id


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
        json={"email": "New.Address@example.com", "password": "a brand new password"},
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
    response = await client.patch(f"{USERS}/{me.id}", headers=me.headers, json={"email": None})
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
    async with app.state.sessionmaker() as session:
        user = await session.get(User, uuid.UUID(admin.id))
        user.is_superuser = True
        await session.commit()
    response = await client.patch(
        f"{USERS}/{other.id}", headers=admin.headers, json={"full_name": "Renamed"}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Renamed"


async def test_superuser_updating_unknown_user_gets_404(client: AsyncClient, app: FastAPI) -> None:
    admin = await sign_up(client)
    async with app.state.sessionmaker() as session:
        user = await session.get(User, uuid.UUID(admin.id))
        user.is_superuser = True
        await session.commit()
    response = await client.patch(
        f"{USERS}/{uuid.uuid4()}", headers=admin.headers, json={"full_name": "Nobody"}
    )
    assert response.status_code == 404


async def test_email_taken_by_another_user_is_a_conflict(client: AsyncClient) -> None:
    me, other = await sign_up(client), await sign_up(client)
    response = await client.patch(
        f"{USERS}/{me.id}", headers=me.headers, json={"email": other.email}
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
