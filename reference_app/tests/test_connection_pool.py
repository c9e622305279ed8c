"""No request holds a pooled database connection while it hashes or checks a password.

Argon2 takes ~100 ms of CPU on purpose. A connection held through it is one no other request can
have: a burst of logins would empty the pool, and everything else that needs the database (the
readiness probe too) would wait and then fail with ``DATABASE_UNAVAILABLE``. Each test records
how many connections are checked out of the app's pool at the moment a password is hashed or
checked, and one shows the symptom itself with a pool of one connection.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.pool import QueuePool

from reference_app.auth import password_reset
from reference_app.auth import service as auth_service
from reference_app.core import security
from reference_app.core.database import release_connection
from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.testing import settings_for_tests
from reference_app.users import service as users_service
from reference_app.users.models import User
from tests.support import DEFAULT_PASSWORD, sign_up

API = "/api/v1"


def watch(
    monkeypatch: pytest.MonkeyPatch, app: FastAPI, module: Any, name: str, seen: list[int]
) -> None:
    """Wrap ``module.name`` (a password function) to record the pool's checked-out count."""
    original: Callable[..., Awaitable[Any]] = getattr(module, name)

    async def recording(*args: Any) -> Any:
        pool = services_of(app).engine.pool
        assert isinstance(pool, QueuePool)
        seen.append(pool.checkedout())
        return await original(*args)

    monkeypatch.setattr(module, name, recording)


@pytest.fixture
def checked_out(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of connections checked out of the pool each time a password was hashed."""
    seen: list[int] = []
    watch(monkeypatch, app, auth_service, "verify_password", seen)
    watch(monkeypatch, app, auth_service, "waste_password_check", seen)
    watch(monkeypatch, app, users_service, "hash_password", seen)
    watch(monkeypatch, app, users_service, "verify_password", seen)
    watch(monkeypatch, app, password_reset, "hash_password", seen)
    return seen


async def test_login_checks_the_password_holding_no_connection(
    client: AsyncClient, checked_out: list[int]
) -> None:
    account = await sign_up(client)
    checked_out.clear()
    good = {"email": account.email, "password": account.password}
    assert (await client.post(f"{API}/auth/login", json=good)).status_code == 200
    wrong = {"email": account.email, "password": "not the password"}
    assert (await client.post(f"{API}/auth/login", json=wrong)).status_code == 401
    unknown = {"email": "nobody@example.com", "password": DEFAULT_PASSWORD}
    assert (await client.post(f"{API}/auth/login", json=unknown)).status_code == 401
    assert checked_out == [0, 0, 0]


async def test_signup_and_a_password_change_hash_holding_no_connection(
    client: AsyncClient, checked_out: list[int]
) -> None:
    account = await sign_up(client)
    change = {"password": "a new password", "current_password": account.password}
    changed = await client.patch(f"{API}/users/{account.id}", headers=account.headers, json=change)
    assert changed.status_code == 200, changed.text
    taken = {"email": account.email, "password": DEFAULT_PASSWORD}
    assert (await client.post(f"{API}/auth/signup", json=taken)).status_code == 409
    # Sign-up's hash; the change's check of the current password, then its hash; the 409's hash.
    assert checked_out == [0, 0, 0, 0]


async def test_a_password_reset_hashes_holding_no_connection(
    app: FastAPI, client: AsyncClient, checked_out: list[int]
) -> None:
    account = await sign_up(client)
    async with services_of(app).sessionmaker() as session:
        user = await session.get(User, uuid.UUID(account.id))
        assert user is not None
        token = password_reset.issue_token(session, services_of(app).settings, user)
        await session.commit()
    checked_out.clear()
    confirm = f"{API}/auth/password-reset/confirm"
    body = {"token": token, "new_password": "a brand new password"}
    assert (await client.post(confirm, json=body)).status_code == 204
    assert (await client.post(confirm, json=body)).status_code == 400  # used: same work, refused
    assert checked_out == [0, 0]


@pytest.fixture
async def one_connection_client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of an app whose pool holds a single connection."""
    settings = settings_for_tests(database_url, database_pool_size=1, database_timeout_seconds=2.0)
    application = create_app(settings)
    async with (
        LifespanManager(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://test") as client,
    ):
        yield client


async def test_the_database_stays_ready_while_a_login_checks_its_password(
    one_connection_client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a pool of one connection, a login paused inside its password check must leave that
    connection to the readiness probe (before the fix the probe waited 2 s and answered 503)."""
    checking = asyncio.Event()
    may_finish = asyncio.Event()
    real_verify = security.verify_password

    async def paused_verify(password: str, password_hash: str) -> tuple[bool, str | None]:
        checking.set()
        await may_finish.wait()
        return await real_verify(password, password_hash)

    client = one_connection_client
    account = await sign_up(client)
    monkeypatch.setattr(auth_service, "verify_password", paused_verify)
    credentials = {"email": account.email, "password": account.password}
    login = asyncio.create_task(client.post(f"{API}/auth/login", json=credentials))
    await asyncio.wait_for(checking.wait(), timeout=5)
    ready = await client.get(f"{API}/health/ready")
    may_finish.set()
    assert ready.status_code == 200, ready.text
    assert (await asyncio.wait_for(login, timeout=10)).status_code == 200


async def test_release_connection_refuses_to_commit_pending_changes(app: FastAPI) -> None:
    async with services_of(app).sessionmaker() as session:
        session.add(User(email="pending@example.com", hashed_password="x"))
        with pytest.raises(RuntimeError, match="pending changes"):
            await release_connection(session)
