"""The logout denylist behind the cache: fast for every request, exact after a logout."""

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from reference_app.core.config import Settings
from reference_app.main import create_app
from reference_app.services import services_of
from tests.support import error_code, eventually, sign_up
from tests.test_cache import count_queries

ME = "/api/v1/users/me"
LOGOUT = "/api/v1/auth/logout"


async def test_repeated_requests_ask_the_denylist_once(app: FastAPI, client: AsyncClient) -> None:
    account = await sign_up(client)
    with count_queries(services_of(app).engine, "revoked_access_tokens") as queries:
        for _ in range(5):
            assert (await client.get(ME, headers=account.headers)).status_code == 200
    assert len(queries) == 1


async def test_a_logout_is_seen_at_once_although_the_answer_was_cached(
    client: AsyncClient,
) -> None:
    account = await sign_up(client)
    other = await sign_up(client)
    assert (await client.get(ME, headers=account.headers)).status_code == 200  # cached: fine
    assert (await client.get(ME, headers=other.headers)).status_code == 200
    assert (await client.post(LOGOUT, headers=account.headers)).status_code == 204
    refused = await client.get(ME, headers=account.headers)
    assert refused.status_code == 401
    assert error_code(refused) == "TOKEN_REVOKED"
    assert (await client.get(ME, headers=other.headers)).status_code == 200  # others unaffected


async def test_with_the_ttl_at_zero_every_request_asks_the_database(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"cache_token_check_ttl_seconds": 0}))
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        account = await sign_up(client)
        with count_queries(services_of(app).engine, "revoked_access_tokens") as queries:
            for _ in range(3):
                assert (await client.get(ME, headers=account.headers)).status_code == 200
        assert len(queries) == 3


async def test_a_logout_on_one_instance_is_seen_by_the_other(
    redis_apps: tuple[AsyncClient, AsyncClient],
) -> None:
    """Instance A has cached "not revoked", in Redis and in its near cache; the logout goes
    through instance B. A refuses the token once B's invalidation reaches it (the near cache
    keeps entries 10 minutes in this test: only the invalidation can end them)."""
    client_a, client_b = redis_apps
    account = await sign_up(client_a)
    for _ in range(2):
        assert (await client_a.get(ME, headers=account.headers)).status_code == 200
    assert (await client_b.post(LOGOUT, headers=account.headers)).status_code == 204

    async def refused_by_a() -> Response | None:
        answer = await client_a.get(ME, headers=account.headers)
        return answer if answer.status_code == 401 else None

    refused = await eventually(refused_by_a, limit=5)
    assert error_code(refused) == "TOKEN_REVOKED"
